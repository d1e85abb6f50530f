"""AcroForm field values of the ACORD fillable editions, as a second source.

The text layer (with form appearances flattened in) is the first source; a
field value only fills a value that the layout reading left unknown.
Field names are the ACORD ones, bare (``Producer_FullName_A``) or XFA style
(``F[0].P1[0].Producer_FullName_A[0]``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pipeline.acord25.confidence import HOW
from pipeline.acord25.evidence import Evidence
from pipeline.acord25.fieldkinds import is_filler
from pipeline.acord25.layout import Box
from pipeline.acord25.parse import normalise_text, parse_date

logger = logging.getLogger(__name__)


_SIMPLE = {
    "Form_CompletionDate_A": ("date",),
    "CertificateOfInsurance_CertificateNumberIdentifier_A": ("certificate_number",),
    "CertificateOfInsurance_RevisionNumberIdentifier_A": ("revision_number",),
    "Producer_FullName_A": ("producer", "name"),
    "Producer_ContactPerson_FullName_A": ("producer", "contact_name"),
    "Producer_ContactPerson_PhoneNumber_A": ("producer", "phone"),
    "Producer_FaxNumber_A": ("producer", "fax"),
    "Producer_ContactPerson_EmailAddress_A": ("producer", "email"),
    "NamedInsured_FullName_A": ("insured", "name"),
    "CertificateHolder_FullName_A": ("certificate_holder", "name"),
    "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A": ("description_of_operations",),
}
_ADDRESSES = {
    "Producer": ("producer", "address"),
    "NamedInsured": ("insured", "address"),
    "CertificateHolder": ("certificate_holder", "address"),
}
_ADDRESS_PARTS = ("LineOne", "LineTwo", "CityName", "StateOrProvinceCode", "PostalCode")


def bare_name(name: str) -> str:
    """'F[0].P1[0].Producer_FullName_A[0]' -> 'Producer_FullName_A'."""
    last = name.split(".")[-1]
    return re.sub(r"\[\d+\]$", "", last)


def form_values(fields: dict[str, str]) -> dict[tuple[str, ...], Any]:
    """The certificate's values the form fields hold: path in the certificate -> value."""
    values = {bare_name(k): normalise_text(v) for k, v in fields.items()  # a filler (N/A, XXXXXXX) is no value,
              if normalise_text(v) and not is_filler(normalise_text(v))}  # as in the page's own boxes
    out: dict[tuple[str, ...], Any] = {}
    for name, path in _SIMPLE.items():
        value = values.get(name)
        if value is not None:
            out[path] = parse_date(value) if path == ("date",) else value
    for prefix, path in _ADDRESSES.items():
        parts = [values.get(f"{prefix}_MailingAddress_{part}_A") for part in _ADDRESS_PARTS]
        lines = [p for p in parts[:2] if p]
        city_line = " ".join(p for p in parts[2:] if p)
        if city_line:
            lines.append(city_line)
        if lines:
            out[path] = ", ".join(lines)
    return {path: value for path, value in out.items() if value is not None}


def apply_form_fields(cert: dict[str, Any], fields: dict[str, str], ev: Evidence) -> None:
    for path, value in form_values(fields).items():
        _fill(cert, path, value, ev)


def agree_with_form_fields(cert: dict[str, Any], fields: dict[str, str], ev: Evidence) -> None:
    """Record, as ``agree`` in a value's evidence, whether the page's reading of it and its form field's
    value say the same (compared as the contract compares text: case, punctuation and spacing aside):
    two readings of one value."""
    for path, value in form_values(fields).items():
        item = ev.items.get("/" + "/".join(path))
        node: Any = cert
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if item is None or node is None or item.get("how") == "form_field":
            continue
        item["agree"] = _compared(node) == _compared(value)


def _compared(value: Any) -> str:
    return re.sub(r"[\W_]+", "", str(value)).lower()


def _fill(cert: dict[str, Any], path: tuple[str, ...], value: Any, ev: Evidence) -> None:
    if value is None:
        return
    node = cert
    for key in path[:-1]:
        node = node[key]
    if node.get(path[-1]) is None:
        node[path[-1]] = value
        ev.add("/" + "/".join(path), Box(0, 0, 0, 0), HOW["form_field"], "form_field")
        logger.debug("filled %s from a form field", "/".join(path))
