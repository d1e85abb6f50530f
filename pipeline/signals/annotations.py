"""Values added on top of a filled certificate as annotations: FreeText (typewriter), stamps, ink,
boxes. A reader of the text layer does not see them; a person looking at the page does.

Annotations are how some agency systems write every value onto a blank form; they are a finding only
on a page whose values are already in its content (a flattened certificate) and only where they add
something to it.
"""

from __future__ import annotations

from typing import Any

from pipeline.scoring.model import normalise
from pipeline.signals.describe import flatten
from pipeline.signals.model import Code, Severity, Signal, bbox

MARKUP = {"FreeText", "Stamp", "Ink", "Square", "Circle", "Polygon", "PolyLine", "Line", "Caret", "StrikeOut",
          "Redact", "Highlight", "Underline", "Squiggly", "Text"}
MIN_VALUES = 5  # values read from a page's content for it to count as a filled certificate
_KINDS = {"FreeText": "typed text", "Stamp": "a stamp", "Ink": "a hand-drawn mark", "Square": "a box",
          "Circle": "a circle", "Text": "a note"}


def annotation_signals(annotations: list[dict[str, Any]], certificate: dict[str, Any],
                       live_fields: bool, *, ocr: bool = False, merged: frozenset[int] = frozenset()) -> list[Signal]:
    """``annotations``: each ``{"page", "subtype", "bbox" (display points), "text", "object"}``;
    ``live_fields``: the document still has filled form fields (a form being filled, not a flattened one);
    ``ocr``: the values were read from the drawn page, annotations included (so what lies under an
    annotation is unknown); ``merged``: the pages whose annotations were read as the page's own text
    (:func:`pipeline.textlayer.pages_read_with_annotations`: a blank form filled with them)."""
    evidence = certificate.get("evidence") or {}
    read = flatten(certificate)
    signature = evidence.get("/signed") or {}
    markup = [a for a in annotations if a["subtype"] in MARKUP]
    typed = {p for a in markup if a["page"] in merged for p, e in evidence.items()  # values read from annotations
             if e.get("page") == a["page"] and _overlap(e.get("bbox"), a["bbox"])}
    signals = []
    for annot in markup:
        page = annot["page"]
        inside = [p for p, e in evidence.items() if p != "/signed" and e.get("page") == page
                  and _overlap(e.get("bbox"), annot["bbox"])]
        values = [p for p, e in evidence.items() if e.get("page") == page and p not in inside and p not in typed]
        what = _KINDS.get(annot["subtype"], f"a {annot['subtype']} annotation")
        said = f" reading {annot['text'][:60]!r}" if annot.get("text") else ""
        where = {"page": page, "bbox": bbox(*annot["bbox"]), "object": annot.get("object"),
                 "detail": {"subtype": annot["subtype"], "text": annot.get("text") or None}}
        if not inside and signature.get("page") == page and _overlap(signature.get("bbox"), annot["bbox"]):
            signals.append(Signal(Code.ANNOTATION_ADDED, Severity.NOTICE,
                                  f"The signature is {what} laid on the page (an annotation), not part of it.", where))
        elif page in merged and len(values) < MIN_VALUES and _over_another(annot, markup):
            signals.append(Signal(Code.ANNOTATION_ADDED, Severity.TAMPER,
                                  f"Page {page} carries {what}{said} laid over another annotation's value: two values "
                                  "typed in one place, the later one shown. Confirm with the insured's agent.",
                                  {**where, "pointer": inside[0]} if inside else where))
        elif page in merged and len(values) < MIN_VALUES:
            continue  # the page's own content holds no certificate: the annotations are how it was filled
        elif page in merged:  # a finished certificate with annotations typed on it, read with them
            signals.append(Signal(Code.ANNOTATION_ADDED, Severity.NOTICE if live_fields else Severity.TAMPER,
                                  f"Page {page} carries {what}{said} laid on top of the certificate as an annotation, "
                                  "and it was read as one of its values. Confirm with the insured's agent.",
                                  {**where, "pointer": inside[0]} if inside else where))
        elif inside and not ocr and _repeats(annot.get("text"), [read.get(p) for p in inside]):
            signals.append(Signal(Code.ANNOTATION_ADDED, Severity.NOTICE,
                                  f"Page {page} carries {what}{said} as an annotation over the same words the page "
                                  "already shows there.", {**where, "pointer": inside[0]}))
        elif inside and len(values) >= MIN_VALUES:
            covered = ", ".join(inside[:3])
            signals.append(Signal(Code.ANNOTATION_ADDED, Severity.TAMPER,
                                  f"Page {page} carries {what}{said} laid over a value of the certificate ({covered}) "
                                  "as an annotation: the page shows it, the values read from the page do not. It "
                                  "was added after the certificate was made; confirm with the insured's agent.",
                                  {**where, "pointer": inside[0]}))
        elif len(values) >= MIN_VALUES and not live_fields:
            signals.append(Signal(Code.ANNOTATION_ADDED, Severity.TAMPER,
                                  f"Page {page} carries {what}{said} laid on top of the finished certificate as an "
                                  "annotation: it was added after the certificate was made, and the values read "
                                  "from the page do not include it. Confirm with the insured's agent.", where))
        elif len(values) >= MIN_VALUES:
            signals.append(Signal(Code.ANNOTATION_ADDED, Severity.NOTICE,
                                  f"Page {page} carries {what}{said} as an annotation beside the form's fields; it "
                                  "is not read as a value.", where))
    return signals


def _over_another(annot: dict[str, Any], markup: list[dict[str, Any]]) -> bool:
    """Another annotation of the page covers half of this one's box (or this one half of its)."""
    x0, y0, x1, y1 = annot["bbox"]
    for other in markup:
        if other is annot or other["page"] != annot["page"]:
            continue
        a0, b0, a1, b1 = other["bbox"]
        common = max(0.0, min(x1, a1) - max(x0, a0)) * max(0.0, min(y1, b1) - max(y0, b0))
        if common >= 0.5 * min((x1 - x0) * (y1 - y0), (a1 - a0) * (b1 - b0)) > 0:
            return True
    return False


def _overlap(a: list[float] | None, b: list[float] | tuple[float, ...] | None) -> bool:
    if not a or not b:
        return False
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _repeats(text: str | None, values: list[Any]) -> bool:
    """The annotation says what the values under it already say (typed again over a field, say)."""
    said = normalise(text)
    shown = [normalise(str(v)) for v in values if v is not None]
    return bool(said) and any(said == v or (len(v) >= 4 and v in said) or (len(said) >= 4 and said in v)
                              for v in shown)
