"""What of a certificate is searchable, and how a search phrase splits into terms. Pure: no I/O.

The search index (infra/search.py) keeps one row per document with these fields and a ``body``
joining them; PostgreSQL searches the body by full text and trigrams, SQLite by FTS5 (trigram
tokenizer, so a fragment of a policy number matches as a substring)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

_SPACE = re.compile(r"\s+")
_TERM = re.compile(r'"([^"]+)"|(\S+)')


@dataclass(frozen=True)
class SearchFields:
    """The searchable text of one certificate; each field is one line of plain text, or empty."""

    insured: str = ""
    holder: str = ""
    producer: str = ""
    insurers: str = ""
    naic: str = ""
    policy_numbers: str = ""
    description: str = ""
    certificate_number: str = ""

    @property
    def body(self) -> str:
        """Every field on one line, the text the index matches against."""
        return " | ".join(value for value in (getattr(self, f.name) for f in fields(self)) if value)

    def as_row(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"body": self.body}


def _text(value: Any) -> str:
    return _SPACE.sub(" ", str(value)).strip() if value not in (None, "") else ""


def _join(values: list[Any]) -> str:
    seen: list[str] = []
    for value in map(_text, values):
        if value and value not in seen:
            seen.append(value)
    return " ; ".join(seen)


def search_fields(certificate: dict[str, Any]) -> SearchFields:
    """The searchable fields of a certificate in the shape of schemas/certificate.schema.json.

    Names with their addresses (a holder is found by its city too); every insurer, NAIC number and
    policy number; the description of operations. Unknown values (null) are left out."""
    def party(key: str) -> str:
        part = certificate.get(key) or {}
        return _join([part.get("name"), part.get("address")])

    insurers = certificate.get("insurers") or []
    policies = certificate.get("policies") or []
    return SearchFields(
        insured=party("insured"),
        holder=party("certificate_holder"),
        producer=_join([(certificate.get("producer") or {}).get(k) for k in ("name", "address", "contact_name",
                                                                              "email")]),
        insurers=_join([i.get("name") for i in insurers]),
        naic=_join([i.get("naic") for i in insurers]),
        policy_numbers=_join([p.get("policy_number") for p in policies]),
        description=_text(certificate.get("description_of_operations")),
        certificate_number=_join([certificate.get("certificate_number"), certificate.get("revision_number")]),
    )


def search_terms(phrase: str | None, *, limit: int = 8) -> list[str]:
    """The terms of a search phrase: words, or "quoted phrases" kept whole; at most ``limit``.

    Every term must match (AND). Punctuation inside a term is kept (a policy number ``GL-123``)."""
    terms = [(quoted or word).strip() for quoted, word in _TERM.findall(phrase or "")]
    return [t for t in terms if t][:limit]
