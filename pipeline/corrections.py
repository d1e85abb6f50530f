"""Values a person corrected, laid over what was read (pure: no I/O).

    value = parse_value(certificate, "/policies/0/limits/each_occurrence", "$2,000,000")   # -> 2000000
    scored = apply_corrections(certificate, [Fix("/policies/0/limits/each_occurrence", 2000000, "ana@…")])

A correction names a value by its JSON pointer (RFC 6901), the same key as the certificate's
``evidence`` map. What was read is never changed: ``apply_corrections`` returns a copy with the
corrected values, whose evidence keeps the box on the page and says the value was corrected, with
the confidence of a value a person typed (:data:`CORRECTED_CONFIDENCE`), so scoring trusts it.
The type a value must have is the certificate schema's (``schemas/certificate.schema.json``): a
limit is whole dollars, a date is ISO, a checkbox is true or false, a blank is null.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator

from schemas import load

CORRECTED_CONFIDENCE = 1.0  # typed by a person who looked at the page
_MONEY = re.compile(r"^\$?\s*(\d{1,3}(?:[,\s]\d{3})+|\d+)(?:\.00)?$")
_TRUE = {"true", "yes", "y", "x", "1"}
_FALSE = {"false", "no", "n", "0"}
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")


class CorrectionRefused(ValueError):
    """The pointer names no value of the certificate, or the value does not fit it; the message says why."""


@dataclass(frozen=True)
class Fix:
    """One correction as scoring needs it: which value, its new content, who made it."""

    pointer: str
    value: Any
    by: str


def split_pointer(pointer: str) -> list[str]:
    if not pointer.startswith("/") or pointer == "/":
        raise CorrectionRefused(f"{pointer!r} is not a JSON pointer to a value (e.g. /policies/0/limits/each_occurrence).")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def read_value(certificate: dict[str, Any], pointer: str) -> Any:
    """The value at ``pointer``; CorrectionRefused when the certificate has no such value."""
    node: Any = certificate
    for part in split_pointer(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise CorrectionRefused(f"The certificate has no value at {pointer}.")
    return node


def schema_at(certificate: dict[str, Any], pointer: str) -> dict[str, Any]:
    """The part of the certificate schema that describes the value at ``pointer``."""
    node: Any = certificate
    schema: dict[str, Any] = load("certificate")
    for part in split_pointer(pointer):
        schema = _branch(schema, node)
        if isinstance(node, list):
            node, schema = node[int(part)], schema.get("items") or {}
        else:
            node, schema = node[part], (schema.get("properties") or {}).get(part)
            if schema is None:
                raise CorrectionRefused(f"{pointer} is not a value the certificate contract describes.")
    return _branch(schema, node)


def _branch(schema: dict[str, Any], node: Any) -> dict[str, Any]:
    """Of a ``oneOf`` (a policy per line), the branch that describes this node."""
    for option in schema.get("oneOf") or ():
        if not Draft202012Validator(option).is_valid(node):
            continue
        return option
    return schema


def parse_value(certificate: dict[str, Any], pointer: str, text: Any) -> Any:
    """``text`` as a value of the type the contract gives ``pointer``; CorrectionRefused when it is not one."""
    read_value(certificate, pointer)
    schema = schema_at(certificate, pointer)
    kinds = schema.get("type") or []
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if schema.get("enum") is not None:
        kinds += ["null"] if None in schema["enum"] else []
    value = _coerce(text, kinds, schema)
    errors = list(Draft202012Validator(schema).iter_errors(value))
    if errors:
        raise CorrectionRefused(f"{text!r} does not fit {pointer}: {errors[0].message}.")
    return value


def _coerce(text: Any, kinds: list[str], schema: dict[str, Any]) -> Any:
    if not isinstance(text, str):
        return text  # JSON from the API: already typed, checked against the schema by the caller
    cleaned = text.strip()
    if not cleaned:
        if "null" in kinds or None in (schema.get("enum") or ()):
            return None
        raise CorrectionRefused("A value is needed here; it cannot be left blank.")
    if "integer" in kinds:
        match = _MONEY.match(cleaned)
        if not match:
            raise CorrectionRefused(f"{cleaned!r} is not a whole number of dollars (e.g. 2,000,000).")
        return int(re.sub(r"[,\s]", "", match.group(1)))
    if "boolean" in kinds:
        lowered = cleaned.lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise CorrectionRefused(f"{cleaned!r} is not yes or no.")
    if schema.get("pattern") == r"^\d{4}-\d{2}-\d{2}$":
        return _iso_date(cleaned)
    return cleaned


def _iso_date(text: str) -> str:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    raise CorrectionRefused(f"{text!r} is not a date (YYYY-MM-DD or MM/DD/YYYY).")


def apply_corrections(certificate: dict[str, Any], fixes: list[Fix]) -> dict[str, Any]:
    """A copy of ``certificate`` with each fix applied (later fixes of a pointer win). A fix whose
    pointer the certificate no longer has (read again since) is left out."""
    if not fixes:
        return certificate
    result = copy.deepcopy(certificate)
    evidence = result.setdefault("evidence", {})
    for fix in fixes:
        parts = split_pointer(fix.pointer)
        try:
            parent = read_value(result, "/" + "/".join(p.replace("~", "~0").replace("/", "~1")
                                                       for p in parts[:-1])) if len(parts) > 1 else result
        except CorrectionRefused:
            continue
        last = parts[-1]
        if isinstance(parent, dict) and last in parent:
            parent[last] = fix.value
        elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
            parent[int(last)] = fix.value
        else:
            continue
        evidence[fix.pointer] = {**(evidence.get(fix.pointer) or {}), "confidence": CORRECTED_CONFIDENCE,
                                 "corrected": True}
    return result


def shown(value: Any) -> str:
    """A value as a person reads it: money with commas, yes/no, blank for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    return str(value)
