"""Self-issued and look-alike certificates: a copy of the ACORD 25 layout without ACORD's footer, a
footer that does not fit the form it sits on, a producer that is the insured itself (pure)."""

from __future__ import annotations

import re
from typing import Any

from pipeline.acord25.identify import KNOWN_EDITIONS, FormInfo
from pipeline.scoring.model import normalise
from pipeline.signals.model import Code, Severity, Signal, bbox

_COPYRIGHT = re.compile(r"(?:19|20)\d\d\s*-\s*((?:19|20)\d\d)\s*,?\s*ACORD\s+CORPORATION", re.IGNORECASE)
_CORPORATION = re.compile(r"ACORD\s+CORPORATION", re.IGNORECASE)
COPYRIGHT_LAG = 3  # years an edition's copyright line may end before the edition (2016/03: 1988-2015)
_SUFFIXES = {"llc", "inc", "co", "corp", "corporation", "company", "ltd", "lp", "llp", "pllc", "pc", "the", "dba"}


def footer_signals(pages: list[Any], form: FormInfo, *, ocr: bool) -> list[Signal]:
    """``form``: the page identified as the ACORD 25 and the edition its footer names
    (:func:`~pipeline.acord25.identify.identify_page`, which read it with
    :func:`~pipeline.acord25.identify.footer_edition`);
    ``ocr``: the page was read by OCR, which may miss a small footer (then a missing footer is a notice,
    not a finding)."""
    page = next((p for p in pages if p.number == form.page), None)
    if page is None:
        return []
    edition = form.edition
    foot = [w for w in page.words if w.cy > 0.8 * page.height]
    text = " ".join(w.text for w in foot)
    copyright = _COPYRIGHT.search(text)
    where = {"page": page.number, "bbox": bbox(0, 0.8 * page.height, page.width, page.height)}
    if edition is None and not _CORPORATION.search(text):
        severity = Severity.NOTICE if ocr else Severity.TAMPER
        return [Signal(Code.NO_FORM_FOOTER, severity,
                       "The page copies the ACORD 25 layout but has neither the form's edition line (\"ACORD 25 "
                       "(2016/03)\") nor ACORD's copyright line: it may be a look-alike typed by someone other "
                       "than an agency. Ask the insured's agent for the certificate on the ACORD form."
                       if not ocr else
                       "No ACORD edition or copyright line was read at the foot of the form (the copy may be cut "
                       "off or too faint); check that it is ACORD's form.", where)]
    signals = []
    if edition is not None and edition not in KNOWN_EDITIONS:
        signals.append(Signal(Code.FOOTER_MISMATCH, Severity.INCONSISTENT,
                              f"The footer names an ACORD 25 edition ({edition}) that ACORD never published; "
                              "check the form with the agent.", {**where, "detail": {"edition": edition}}))
    elif edition is not None and copyright is not None and not ocr:
        year, ended = int(edition[:4]), int(copyright.group(1))
        if ended > year or ended < year - COPYRIGHT_LAG:
            signals.append(Signal(Code.FOOTER_MISMATCH, Severity.TAMPER,
                                  f"The footer says ACORD 25 ({edition}) but its copyright line ends in {ended}, "
                                  "which does not belong to that edition: the footer may have been copied onto "
                                  "another layout. Ask the insured's agent for the certificate on the ACORD form.",
                                  {**where, "detail": {"edition": edition, "copyright": copyright.group(0)}}))
    return signals


def self_issued_signals(certificate: dict[str, Any]) -> list[Signal]:
    producer = (certificate.get("producer") or {}).get("name")
    insured = (certificate.get("insured") or {}).get("name")
    a, b = _core(producer), _core(insured)
    if not a or not b or not (a == b or (min(len(a.split()), len(b.split())) >= 2 and (f" {a} " in f" {b} " or f" {b} " in f" {a} "))):
        return []
    where = (certificate.get("evidence") or {}).get("/producer/name") or {}
    return [Signal(Code.PRODUCER_IS_INSURED, Severity.TAMPER,
                   f"The producer ({producer}) is the insured itself: a certificate must be issued by the insurance "
                   "agent or broker, not by the insured. Ask for one from the agent.",
                   {"pointer": "/producer/name", "page": where.get("page"), "bbox": where.get("bbox")})]


def _core(name: str | None) -> str:
    return " ".join(w for w in normalise(name).split() if w not in _SUFFIXES)
