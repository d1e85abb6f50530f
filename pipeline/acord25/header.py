"""The sections around the coverage table: date, producer, insured, insurers,
certificate numbers, description, holder and signature."""

from __future__ import annotations

import logging
import re
from typing import Any

from pipeline.acord25.evidence import Evidence
from pipeline.acord25.frame import Frame
from pipeline.acord25.layout import Box, Sheet, Value, line_text, lines_of, read_value
from pipeline.acord25.parse import (
    is_placeholder_signature,
    join_digits,
    normalise_text,
    parse_date,
)

logger = logging.getLogger(__name__)

CLEAN = 0.99  # a clean text-layer read inside the expected zone
_NAIC = re.compile(r"^\d[\d ]{3,6}\d$")
_REFERENCE = re.compile(r"^[\d\-#/ ]+$")


def read_date(sheet: Sheet, frame: Frame, ev: Evidence) -> str | None:
    anchor = frame.get("date")
    if anchor is None:
        return None
    u = frame.unit
    zone = Box(anchor.box.x0 - 30 * u, anchor.box.y0 - 1, frame.width, anchor.box.y1 + 16 * u)
    for word in sheet.values_in(zone):
        iso = parse_date(word.text)
        if iso:
            ev.add("/date", Box.around([word]), CLEAN)
            return iso
    return None


def read_numbers(sheet: Sheet, frame: Frame, ev: Evidence) -> tuple[str | None, str | None]:
    cert, rev = frame.get("certificate_number"), frame.get("revision_number")
    results: list[str | None] = []
    for name, anchor, right in (
        ("certificate_number", cert, rev.box.x0 - 1 if rev else frame.width),
        ("revision_number", rev, frame.width),
    ):
        if anchor is None:
            results.append(None)
            continue
        h = anchor.box.height
        zone = Box(anchor.box.x1 + 0.5, anchor.box.cy - 0.5 * h, right, anchor.box.cy + 0.5 * h)
        value = read_value(sheet.values_in(zone))
        results.append(_record(ev, f"/{name}", value))
    return results[0], results[1]


def read_producer(sheet: Sheet, frame: Frame, ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {k: None for k in ("name", "address", "contact_name", "phone", "fax", "email")}
    producer, insured = frame.get("producer"), frame.get("insured")
    u = frame.unit
    right = _right_column_x0(frame)
    if producer is not None:
        bottom = insured.box.y0 - 1 if insured else producer.box.y1 + 60 * u
        zone = Box(producer.box.x0 - 4 * u, producer.box.y0 - 1, right - 1, bottom)
        name, address = _name_and_address(sheet.values_in(zone))
        out["name"] = _record(ev, "/producer/name", name)
        out["address"] = _record(ev, "/producer/address", address)
    contact, phone, fax, email = (frame.get(k) for k in ("contact", "phone", "fax", "email"))
    insurers = frame.get("insurers")
    if contact is not None:
        bottom = phone.box.y0 - 0.5 if phone else contact.box.y1 + 6 * u
        zone = Box(contact.box.x0, contact.box.y0 - 3 * u, frame.width, bottom)
        out["contact_name"] = _record(ev, "/producer/contact_name", read_value(sheet.values_in(zone)))
    if phone is not None:
        bottom = email.box.y0 - 0.5 if email else phone.box.y1 + 8 * u
        fax_x = fax.box.x0 - 1 if fax else frame.width
        zone = Box(phone.box.x0, phone.box.y0 - 3 * u, fax_x, bottom)
        out["phone"] = _record(ev, "/producer/phone", read_value(sheet.values_in(zone)), join_digits)
        if fax is not None:
            zone = Box(fax.box.x0, phone.box.y0 - 3 * u, frame.width, bottom)
            out["fax"] = _record(ev, "/producer/fax", read_value(sheet.values_in(zone)), join_digits)
    if email is not None:
        bottom = insurers.box.y0 - 0.5 if insurers else email.box.y1 + 8 * u
        zone = Box(email.box.x0, email.box.y0 - 3 * u, frame.width, bottom)
        value = read_value(sheet.values_in(zone), joiner="")
        out["email"] = _record(ev, "/producer/email", value, lambda t: t.replace(" ", ""))
    return out


def read_insured(sheet: Sheet, frame: Frame, ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"name": None, "address": None}
    insured, coverages = frame.get("insured"), frame.get("coverages")
    if insured is None:
        return out
    u = frame.unit
    bottom = coverages.box.y0 - 1 if coverages else insured.box.y1 + 60 * u
    zone = Box(insured.box.x0 - 4 * u, insured.box.y0 - 1, _right_column_x0(frame) - 1, bottom)
    words = [
        w
        for w in sheet.values_in(zone)
        # a reference number printed beside the INSURED heading is not the name
        if not (abs(w.cy - insured.box.cy) < insured.box.height and _REFERENCE.match(w.text))
    ]
    name, address = _name_and_address(words)
    out["name"] = _record(ev, "/insured/name", name)
    out["address"] = _record(ev, "/insured/address", address)
    return out


def read_insurers(sheet: Sheet, frame: Frame, ev: Evidence) -> list[dict[str, Any]]:
    rows = sorted(frame.insurer_rows.items(), key=lambda kv: kv[1].box.cy)
    if not rows:
        return []
    centres = [a.box.cy for _, a in rows]
    gaps = [b - a for a, b in zip(centres, centres[1:])]
    pitch = min(gaps) if gaps else 12 * frame.unit
    naic = frame.get("naic")
    naic_x = naic.box.x0 - 14 * frame.unit if naic else frame.width - 45 * frame.unit
    out = []
    for letter, anchor in rows:
        zone = Box(anchor.box.x1 + 0.5, anchor.box.cy - pitch / 2, frame.width, anchor.box.cy + pitch / 2)
        words = sheet.values_in(zone)
        code_words = [w for w in words if w.x0 >= naic_x and re.fullmatch(r"[\d\-]+", w.text)]
        name_words = [w for w in words if w not in code_words]
        name = read_value(name_words)
        if name is None:
            continue
        index = len(out)
        entry: dict[str, Any] = {"letter": letter, "name": None, "naic": None}
        ev.add(f"/insurers/{index}/letter", anchor.box, CLEAN)
        entry["name"] = _record(ev, f"/insurers/{index}/name", name)
        code = read_value(code_words)
        if code is not None:
            digits = join_digits(code.text).replace(" ", "")
            entry["naic"] = digits
            ev.add(f"/insurers/{index}/naic", code.box, CLEAN if _NAIC.match(code.text) else 0.8)
        out.append(entry)
    return out


def read_description(sheet: Sheet, frame: Frame, ev: Evidence) -> str | None:
    label, holder = frame.get("description"), frame.get("holder")
    if label is None:
        return None
    bottom = holder.box.y0 - 1 if holder else label.box.y1 + 80 * frame.unit
    zone = Box(0, label.box.y1 + 0.3, frame.width, bottom)
    return _record(ev, "/description_of_operations", read_value(sheet.values_in(zone)))


def read_holder(sheet: Sheet, frame: Frame, ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"name": None, "address": None}
    holder, cancel = frame.get("holder"), frame.get("cancellation")
    if holder is None:
        return out
    right = cancel.box.x0 - 2 if cancel and cancel.box.x0 > holder.box.x1 else frame.width / 2
    zone = Box(holder.box.x0 - 4 * frame.unit, holder.box.y1 + 0.5, right, frame.footer_top - 0.5)
    name, address = _name_and_address(sheet.values_in(zone))
    out["name"] = _record(ev, "/certificate_holder/name", name)
    out["address"] = _record(ev, "/certificate_holder/address", address)
    return out


def read_signed(sheet: Sheet, frame: Frame, ev: Evidence) -> bool:
    anchor = frame.get("authorized")
    if anchor is None:
        return False
    zone = Box(anchor.box.x0 - 4 * frame.unit, anchor.box.y0 - 1, frame.width, frame.footer_top - 0.3)
    marks = sheet.marks_in(zone, {"image", "drawing"})
    words = [w for w in sheet.values_in(zone) if w.y0 > anchor.box.y1 - 1 or w.x0 > anchor.box.x1]
    text = " ".join(w.text for w in words)
    if words and is_placeholder_signature(text):
        ev.add("/signed", Box.around(words), 0.9)
        return False
    if marks or words:
        ev.add("/signed", Box.around([*marks, *words]), 0.95 if marks else 0.85)
        return True
    ev.add("/signed", zone, 0.8)
    return False


def _right_column_x0(frame: Frame) -> float:
    xs = [a.box.x0 for a in frame.insurer_rows.values()]
    for name in ("contact", "phone", "email", "insurers"):
        anchor = frame.get(name)
        if anchor is not None:
            xs.append(anchor.box.x0)
    return min(xs) if xs else frame.width / 2


def _name_and_address(words: list) -> tuple[Value | None, Value | None]:
    """First line is the name; the other lines, joined with ', ', the address."""
    lines = lines_of(words)
    while lines and all(_REFERENCE.match(w.text) for w in lines[0]):
        lines = lines[1:]  # an account / reference number above the name
    if not lines:
        return None, None
    name = Value(line_text(lines[0]), Box.around(lines[0]), tuple(lines[0]))
    rest = [w for line in lines[1:] for w in line]
    if not rest:
        return name, None
    text = ", ".join(line_text(line) for line in lines[1:])
    return name, Value(text, Box.around(rest), tuple(rest))


def _record(ev: Evidence, pointer: str, value: Value | None, clean=None) -> str | None:
    if value is None:
        return None
    text = normalise_text(value.text)
    if clean is not None:
        text = normalise_text(clean(text))
    if not text:
        return None
    ev.add(pointer, value.box, CLEAN)
    return text
