"""Edits after the first save: a PDF saved again by appending an incremental update keeps its earlier
revision in the file. The earlier revision is read like the final one and their values compared: a
value that was on the certificate at the first save and reads differently now was changed afterwards.

A revision that was not yet a filled certificate (the blank form an agency filled and saved) changes
nothing here: filling a blank is how certificates are made.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from pipeline.signals.describe import describe, flatten, shown
from pipeline.signals.model import Code, Severity, Signal

log = logging.getLogger(__name__)

_EOF = re.compile(rb"%%EOF[ \t]*(?:\r\n|\r|\n)?")
_OBJ = re.compile(rb"(?<![0-9])(\d{1,7})\s+(\d{1,5})\s+obj\b")
MIN_VALUES = 5  # values a revision must hold to count as a filled certificate
MAX_REVISIONS = 8  # earlier revisions looked at (a file saved a hundred times is read once per cut otherwise)
MAX_LISTED = 6  # changed values named in the sentence


def revision_cuts(pdf: bytes) -> list[int]:
    """Byte offsets where an earlier revision ends (each %%EOF but the last), earliest first."""
    ends = [m.end() for m in _EOF.finditer(pdf)]
    tail = pdf[ends[-1]:].strip(b"\x00\r\n\t ") if ends else b""
    cuts = ends[:-1] if ends and not tail else ends
    return [c for c in cuts if c < len(pdf) - 16][:MAX_REVISIONS]


def revision_signals(pdf: bytes, final: dict[str, Any],
                     read_revision: Callable[[bytes], dict[str, Any] | None]) -> list[Signal]:
    """``read_revision(prefix)``: the certificate of an earlier revision, or None when it is not one
    (not readable, a blank form, a linearized file's first-page section)."""
    for cut in revision_cuts(pdf):
        try:
            earlier = read_revision(pdf[:cut])
        except Exception:  # an earlier revision is often not a complete file: not a finding
            log.debug("revision ending at byte %s could not be read", cut, exc_info=True)
            continue
        if earlier is None or len(earlier.get("evidence") or {}) < MIN_VALUES:
            continue
        return _compare(earlier, final, cut, _objects(pdf[cut:]))
    return []


def _compare(earlier: dict[str, Any], final: dict[str, Any], cut: int, objects: list[str]) -> list[Signal]:
    before, after = flatten(earlier), flatten(final)
    changed = [(p, before[p], after.get(p)) for p in before if before[p] is not None and after.get(p) != before[p]]
    added = [(p, None, after[p]) for p in after if after[p] is not None and before.get(p) is None]
    where = {"object": ", ".join(objects[:8]) or None, "detail": {"first_revision_bytes": cut}}
    signals = []
    if changed:
        listed = "; ".join(f"{describe(p, final)} read {shown(old)} and now reads {shown(new)}"
                           for p, old, new in changed[:MAX_LISTED])
        more = f" (and {len(changed) - MAX_LISTED} more)" if len(changed) > MAX_LISTED else ""
        first = final.get("evidence", {}).get(changed[0][0]) or {}
        signals.append(Signal(Code.EDITED_AFTER_SAVE, Severity.TAMPER,
                              "The file was changed after it was first saved as a filled certificate: "
                              f"{listed}{more}. Confirm the values with the insured's agent.",
                              {**where, "pointer": changed[0][0], "page": first.get("page"), "bbox": first.get("bbox"),
                               "detail": {**where["detail"], "changed": [
                                   {"pointer": p, "before": old, "after": new} for p, old, new in changed]}}))
    if added:
        listed = "; ".join(f"{describe(p, final)} ({shown(new)})" for p, _, new in added[:MAX_LISTED])
        more = f" (and {len(added) - MAX_LISTED} more)" if len(added) > MAX_LISTED else ""
        first = final.get("evidence", {}).get(added[0][0]) or {}
        signals.append(Signal(Code.ADDED_AFTER_SAVE, Severity.TAMPER,
                              "Values were added after the file was first saved as a filled certificate: "
                              f"{listed}{more}. Confirm them with the insured's agent.",
                              {**where, "pointer": added[0][0], "page": first.get("page"), "bbox": first.get("bbox"),
                               "detail": {**where["detail"], "added": [p for p, _, _ in added]}}))
    return signals


def _objects(update: bytes) -> list[str]:
    return [f"{int(n)} {int(g)} R" for n, g in dict.fromkeys(_OBJ.findall(update))]
