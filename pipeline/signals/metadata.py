"""Who made the file, and when: producer and creator against the tools that edit PDFs, the file's last
change against the certificate's date (pure over the document information dictionary)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pipeline.scoring.model import normalise
from pipeline.signals.model import Code, Severity, Signal

# Tools that edit an existing PDF (online editors, desktop editors): a certificate passed through one
# after its agency system made it may have been changed there.
EDITORS = ("pdfescape", "sejda", "smallpdf", "ilovepdf", "pdffiller", "dochub", "pdf candy", "pdfcandy",
           "soda pdf", "sodapdf", "pdfelement", "wondershare", "xodo", "pdf-xchange editor", "foxit pdf editor",
           "foxit phantompdf", "nitro pro", "nitro pdf", "pdfsimpli", "formswift", "lumin pdf", "kami",
           "pdf24", "pdfzorro", "docfly", "pdfbuddy", "pdf buddy", "hipdf", "pdf2go", "sedja")
# Tools that type or design a page: an ACORD 25 made in one is a copy of the layout, not the form.
LAYOUT_TOOLS = ("microsoft word", "microsoft® word", "google docs", "libreoffice writer", "openoffice",
                "canva", "wps writer", "inkscape", "photoshop", "gimp", "illustrator")
# How long after the certificate's date a file may still be touched (re-sent, re-saved) unremarked.
LATE_CHANGE_DAYS = 45


def metadata_signals(info: dict[str, str], certificate: dict[str, Any]) -> list[Signal]:
    """``info``: the document information entries (``Producer``, ``Creator``, ``ModDate`` ...)."""
    signals: list[Signal] = []
    producer, creator = info.get("Producer") or "", info.get("Creator") or ""
    evidence = {"detail": {"producer": producer or None, "creator": creator or None}, "object": "/Info"}
    editor = _match(producer, EDITORS) or _match(creator, EDITORS)
    layout = _match(creator, LAYOUT_TOOLS) or _match(producer, LAYOUT_TOOLS)
    if layout:
        signals.append(Signal(Code.EDITOR_PRODUCER, Severity.TAMPER,
                              f"The file was made with {layout} (a word processor or design tool), not by an "
                              "agency system on ACORD's form; ask the insured's agent to send the certificate "
                              "directly.", evidence))
    elif editor and _made_elsewhere(producer, creator):
        signals.append(Signal(Code.EDITOR_PRODUCER, Severity.TAMPER,
                              f"The file was made by {creator or 'another program'} and then saved by {editor}, "
                              "a PDF editor; values may have been changed there. Ask the insured's agent to send "
                              "the certificate directly.", evidence))
    elif editor and not creator.strip():
        signals.append(Signal(Code.EDITOR_PRODUCER, Severity.TAMPER,
                              f"The file was last saved by {editor}, a PDF editor, and the program that made it is "
                              "not recorded; values may have been changed there. Ask the insured's agent to send "
                              "the certificate directly.", evidence))
    elif editor:
        signals.append(Signal(Code.EDITOR_PRODUCER, Severity.NOTICE,
                              f"The file was filled in or saved with {editor}, a PDF editor, rather than an "
                              "agency system.", evidence))
    changed, issued = pdf_date(info.get("ModDate")), _iso(certificate.get("date"))
    if changed and issued and (changed - issued).days > LATE_CHANGE_DAYS:
        signals.append(Signal(Code.MODIFIED_AFTER_ISSUE, Severity.NOTICE,
                              f"The file was last changed on {changed}, {(changed - issued).days} days after the "
                              f"certificate's date ({issued}).", {"object": "/Info", "pointer": "/date",
                                                                  "detail": {"modified": changed.isoformat()}}))
    return signals


def _match(text: str, names: tuple[str, ...]) -> str | None:
    low = text.lower()
    for name in names:
        if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", low):
            return text.split(";")[0].strip()[:60] or name
    return None


def _made_elsewhere(producer: str, creator: str) -> bool:
    """The creator names a different program than the editor that produced the file."""
    if not creator.strip():
        return False
    words = lambda s: set(normalise(s).split()) - {"pdf", "version", "v", "editor", "llc", "inc"}  # noqa: E731
    shared = words(producer) & words(creator)
    return not shared


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?")


def pdf_date(value: str | None) -> date | None:
    """The day of a PDF date string (``D:20240919105007-05'00'``); None when it is not one."""
    match = _PDF_DATE.match((value or "").strip())
    if not match:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)).date()
    except ValueError:
        return None


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
