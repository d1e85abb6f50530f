"""The sections around the coverage table: date, producer, insured, insurers,
certificate numbers, description, holder and signature."""

from __future__ import annotations

import logging
import re
from typing import Any

from pipeline.acord25.evidence import Evidence
from pipeline.acord25.frame import Frame, is_description_label
from pipeline.acord25.layout import Box, Sheet, Value, line_text, lines_of, read_value, trim_debris, usual_height
from pipeline.acord25.parties import PLACED, insurer_rows
from pipeline.acord25.plausible import is_form_label, is_form_prose, name_like
from pipeline.textlayer import Word
from pipeline.acord25.parse import (
    is_placeholder_signature,
    join_digits,
    mend_postcode,
    normalise_text,
    parse_date,
)

logger = logging.getLogger(__name__)

CLEAN = 0.99  # a clean text-layer read inside the expected zone
_NAIC = re.compile(r"^\d[\d ]{3,6}\d$")
_REFERENCE = re.compile(r"^[\d\-#/ ]+$")
_NAIC_CODE = re.compile(r"\d{5}")
_CODE = re.compile(r"[\d\-]+[.,]?")  # a NAIC column's number; OCR often reads the cell's rule as a trailing '.'
_NAIC_COLUMN = 0.8  # of the page's width: without its label, a five-digit code this far right is the NAIC column's


DATE_CORNER = (0.6, 0.12)  # share of the page's width / height: the date box in the top right corner


def date_zone(sheet: Sheet, frame: Frame) -> Box | None:
    """Where the certificate's date is printed: under its label, or on a scan whose small label was
    misread, the box's corner of the page."""
    anchor = frame.get("date")
    u = frame.unit
    if anchor is not None:
        return Box(anchor.box.x0 - 30 * u, anchor.box.y0 - 1, frame.width, anchor.box.y1 + 16 * u)
    if sheet.measured:
        return Box(DATE_CORNER[0] * frame.width, 0, frame.width, DATE_CORNER[1] * frame.height)
    return None


def read_date(sheet: Sheet, frame: Frame, ev: Evidence) -> str | None:
    zone = date_zone(sheet, frame)
    if zone is None:
        return None
    sure = CLEAN if frame.get("date") is not None else GUESSED_ZONE
    for word in sheet.values_in(zone):
        iso = parse_date(word.text)
        if iso:
            ev.add("/date", Box.around([word]), sure)
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


def party_zones(frame: Frame) -> dict[str, Box]:
    """The blocks typed under the PRODUCER, INSURED and CERTIFICATE HOLDER labels (each with its label
    but the holder's), by name; a block whose label was not found is left out."""
    u = frame.unit
    producer, insured, coverages = frame.get("producer"), frame.get("insured"), frame.get("coverages")
    holder, cancel = frame.get("holder"), frame.get("cancellation")
    right = _right_column_x0(frame)
    zones = {}
    if producer is not None:
        bottom = insured.box.y0 - 1 if insured else producer.box.y1 + 60 * u
        zones["producer"] = Box(producer.box.x0 - 4 * u, producer.box.y0 - 1, right - 1, bottom)
    if insured is not None:
        bottom = coverages.box.y0 - 1 if coverages else insured.box.y1 + 60 * u
        zones["insured"] = Box(insured.box.x0 - 4 * u, insured.box.y0 - 1, right - 1, bottom)
    if holder is not None:
        edge = cancel.box.x0 - 2 if cancel and cancel.box.x0 > holder.box.x1 else frame.width / 2
        zones["holder"] = Box(holder.box.x0 - 4 * u, holder.box.y1 + 0.5, edge, frame.footer_top - 0.5)
    return zones


def read_producer(sheet: Sheet, frame: Frame, ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {k: None for k in ("name", "address", "contact_name", "phone", "fax", "email")}
    producer = frame.get("producer")
    u = frame.unit
    zone = party_zones(frame).get("producer")
    if zone is not None:
        name, address = _name_and_address(sheet.values_in(zone))
        out["name"] = _record(ev, "/producer/name", name)
        out["address"] = _record(ev, "/producer/address", address, sure=_edge_sure(sheet, zone))
    contact, phone, fax, email = (frame.get(k) for k in ("contact", "phone", "fax", "email"))
    insurers = frame.get("insurers")
    if sheet.measured and producer is not None:
        _contact_block(sheet, frame, ev, out, producer.box.y0 - 3 * u)
        return out
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


_PHONE_CHARS = re.compile(r"^[\d()\-.+/]+$")
_EMAIL_TOKEN = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def _contact_block(sheet: Sheet, frame: Frame, ev: Evidence, out: dict[str, Any], top: float) -> None:
    """Contact, phone, fax and e-mail of a scan, told apart by what they look like.

    The block's 5.5 pt labels are often misread, so values are not found by label: the
    e-mail is the token with an '@', phone and fax are runs of digits shaped like a phone
    number (the fax right of the FAX label or the second such run), the contact name is
    what stands above them in the values' column.
    """
    u = frame.unit
    insurers = frame.get("insurers")
    first_row = min((a.box.y0 for a in frame.insurer_rows.values()), default=None)
    bottom = insurers.box.y0 - 0.5 if insurers else (first_row - 0.5 if first_row else top + 40 * u)
    block = Box(_right_column_x0(frame) - 2 * u, top, frame.width, bottom)
    words = sheet.values_in(block, include_labels=True)  # a value may repeat a label's word (CLIENT CONTACT CENTER)
    lines = lines_of(words)
    fax = frame.get("fax")
    phones: list[tuple[list, float]] = []  # (words, line centre)
    email = None
    for line in lines:
        run: list = []
        for w in [*line, None]:
            if w is not None and _PHONE_CHARS.match(w.text) and (not run or w.x0 - run[-1].x1 < 2 * w.height):
                run.append(w)
                continue
            digits = sum(c.isdigit() for c in "".join(x.text for x in run))
            if 10 <= digits <= 11:
                phones.append((run, run[0].cy))
            run = [w] if w is not None and _PHONE_CHARS.match(w.text) else []
        for w in line:
            if email is None and "@" in w.text:
                email = _email_word(w, words)
    value_x0 = min([r[0][0].x0 for r in phones] + ([email.x0] if email else []), default=None)
    phone_run = next((r for r, _ in phones if fax is None or r[0].cx < fax.box.x0), None)
    fax_run = next((r for r, _ in phones if r is not phone_run and (fax is None or r[0].cx > fax.box.x0)), None)
    for key, run in (("phone", phone_run), ("fax", fax_run)):
        if run is not None:
            out[key] = _record(ev, f"/producer/{key}", Value("".join(w.text for w in run), Box.around(run), tuple(run)))
    if email is not None:
        out["email"] = _record(ev, "/producer/email", Value(email.text, Box.around([email]), (email,)))
    if value_x0 is None:
        return
    first_value = min([r[0].y0 for r, _ in phones] + ([email.y0] if email else []))
    for line in lines:
        if line[0].cy >= first_value - 0.3 * line[0].height:
            break
        name = [w for w in line if w.x0 >= value_x0 - 12 * u]  # names start a little left of the numbers
        if name:
            out["contact_name"] = _record(ev, "/producer/contact_name", read_value(name))


def _email_word(w, words: list):
    """The e-mail token, with its local part when OCR split it off ('service' '@agency.com')."""
    text, box = w.text, w
    if text.startswith("@"):
        before = [v for v in words if v is not w and -1.5 <= w.x0 - v.x1 <= 3 and v.y0 < w.y1 and v.y1 > w.y0
                  and re.fullmatch(r"[A-Za-z0-9._%+\-']+", v.text)]
        if before:
            v = before[0]
            text, box = v.text + text, Word(v.text + text, v.x0, min(v.y0, w.y0), w.x1, max(v.y1, w.y1),
                                            confidence=min(v.confidence or 1.0, w.confidence or 1.0))
    match = _EMAIL_TOKEN.search(text)
    if match is None:
        return None
    return Word(match.group(0), box.x0, box.y0, box.x1, box.y1, confidence=box.confidence)


def read_insured(sheet: Sheet, frame: Frame, ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"name": None, "address": None}
    insured, zone = frame.get("insured"), party_zones(frame).get("insured")
    if insured is None or zone is None:
        return out
    words = [
        w
        for w in sheet.values_in(zone)
        # a reference number printed beside the INSURED heading is not the name
        if not (abs(w.cy - insured.box.cy) < insured.box.height and _REFERENCE.match(w.text))
    ]
    name, address = _name_and_address(words)
    placed = GUESSED_ZONE if not insured.words else CLEAN  # its label unread: the zone placed by the rule above it
    out["name"] = _record(ev, "/insured/name", name, sure=placed)
    out["address"] = _record(ev, "/insured/address", address, sure=min(placed, _edge_sure(sheet, zone)))
    return out


def read_insurers(sheet: Sheet, frame: Frame, ev: Evidence) -> list[dict[str, Any]]:
    rows = insurer_rows(frame)
    if not rows:
        return []
    centres = [r.box.cy for r in rows]
    gaps = [b - a for a, b in zip(centres, centres[1:])]
    pitch = min(gaps) if gaps else 12 * frame.unit
    naic = frame.get("naic")
    naic_x = naic.box.x0 - 14 * frame.unit if naic else frame.width - 45 * frame.unit
    out = []
    for row in rows:
        letter = row.letter
        zone = Box(row.box.x1 + 0.5, row.box.cy - pitch / 2, frame.width, row.box.cy + pitch / 2)
        words = sheet.values_in(zone)
        if row.placed:  # the misread label's tail may reach past its placed end ('A:', 'R B :')
            words = [w for w in words if not (w.x0 < row.box.x1 + 2 * frame.unit and _LABEL_TAIL.fullmatch(w.text))]
        code_words = [w for w in words if _CODE.fullmatch(w.text) and (
            w.x0 >= naic_x or (naic is None and _NAIC_CODE.fullmatch(w.text) and w.x0 > _NAIC_COLUMN * frame.width))]
        name_words = _name_line([w for w in words if w not in code_words and not _RULE.fullmatch(w.text)])
        name = read_value(name_words)
        if name is not None and re.match(rf"^{letter}\s?:\s?\S", name.text):
            name = Value(name.text.split(":", 1)[1].strip(), name.box, name.words)  # 'A:FEDERATED' read as one
        if name is None or (row.placed and not _placed_name(name)):
            continue
        index = len(out)
        sure = PLACED if row.placed else CLEAN
        entry: dict[str, Any] = {"letter": letter, "name": None, "naic": None}
        ev.add(f"/insurers/{index}/letter", row.box, sure)
        entry["name"] = _record(ev, f"/insurers/{index}/name", name, sure=sure)
        code = read_value(code_words)
        if code is not None:
            digits = join_digits(code.text).replace(" ", "").rstrip(".,")
            entry["naic"] = digits
            ev.add(f"/insurers/{index}/naic", code.box, min(sure, CLEAN if _NAIC.match(code.text) else 0.8))
        out.append(entry)
    return out


def _name_line(words: list) -> list:
    """An insurer row's name: on a scan, its one line without debris (a speck read as a second
    line, ', 2', or as a short word after the name)."""
    if not any(w.confidence is not None for w in words):
        return words
    lines = [trim_debris(line) for line in lines_of(words)]
    return max(lines, key=lambda line: sum(c.isalpha() * (w.confidence or 0.0) for w in line for c in w.text),
               default=[])


_LABEL_TAIL = re.compile(r"[A-Fa-f]?\s?[:;]|[A-F]|[|!]")  # what is left of a misread 'INSURER X :' past its placed end
_RULE = re.compile(r"[|_=~\\]+")  # a cell's rule read as a 'word': never part of a name
PLACED_NAME_SURE = 0.7  # OCR confidence: a placed row's name has a word of 3 letters read this surely, debris does not


def _placed_name(name: Value) -> bool:
    """A name read from a row placed by spacing: an insurer's name, not OCR debris from an empty row."""
    return name_like(name.text) and any(sum(c.isalpha() for c in w.text) >= 3
                                        and (w.confidence is None or w.confidence >= PLACED_NAME_SURE) for w in name.words)


def read_description(sheet: Sheet, frame: Frame, ev: Evidence) -> str | None:
    label, holder = frame.get("description"), frame.get("holder")
    if label is None and not (sheet.measured and holder is not None):
        return None
    if label is not None:
        bottom = holder.box.y0 - 1 if holder else label.box.y1 + 80 * frame.unit
        top = label.box.y1 + 0.3
    else:  # a scan whose box heading was not read: the box's usual height above CERTIFICATE HOLDER
        bottom, top = holder.box.y0 - 1, holder.box.y0 - DESCRIPTION_HEIGHT * frame.unit
    zone = Box(0, top, frame.width, bottom)
    words = [w for line in lines_of(sheet.values_in(zone))
             if not is_description_label(line) and not is_form_label(line_text(line)) for w in line]
    text = _record(ev, "/description_of_operations", read_value(words))
    if (label is None or (holder is None and sheet.measured)) and text is not None:
        # a zone placed without both its labels: where the text ends (or starts) is a guess
        ev.items["/description_of_operations"]["confidence"] = min(ev.items["/description_of_operations"]["confidence"], GUESSED_ZONE)
    return text


DESCRIPTION_HEIGHT = 80  # points, at the printed scale, from the description's first line to CERTIFICATE HOLDER
GUESSED_ZONE = 0.8  # a value read from a zone placed without its own label: shown, never trusted alone


def read_holder(sheet: Sheet, frame: Frame, ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"name": None, "address": None}
    zone = party_zones(frame).get("holder")
    if zone is None:
        return out
    name, address = _name_and_address(sheet.values_in(zone))
    out["name"] = _record(ev, "/certificate_holder/name", name)
    out["address"] = _record(ev, "/certificate_holder/address", address, sure=_edge_sure(sheet, zone))
    return out


CUT_OFF = 0.8  # an address whose block may go on past its zone's bottom edge: shown, not trusted


def _edge_sure(sheet: Sheet, zone: Box) -> float:
    """How sure a block's address is complete: a word read across the zone's bottom edge (its centre
    below) may be the address's last line, left out ("CA 94114" read tall, down into the next label)."""
    below = Box(zone.x0, zone.y1, zone.x1, zone.y1 + 20)
    crossing = [w for w in sheet.values_in(below) if w.y0 < zone.y1 and zone.x0 <= w.x0 < zone.x1]
    return CUT_OFF if crossing else CLEAN


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
    lines = [kept for kept in map(trim_debris, lines_of(without_specks(words))) if kept]
    while lines and (all(_REFERENCE.match(w.text) for w in lines[0]) or _notice_line(lines[0])
                               or _debris_line(lines[0])):
        lines = lines[1:]  # an account / reference number above the name, or the notice's last line on a scan
    if not lines:
        return None, None
    name = Value(line_text(lines[0]), Box.around(lines[0]), tuple(lines[0]))
    rest = [w for line in lines[1:] for w in line]
    if not rest:
        return name, None
    text = ", ".join(line_text(line) for line in lines[1:])
    if any(w.confidence is not None for w in rest):  # read by OCR
        text = mend_postcode(text)
    return name, Value(text, Box.around(rest), tuple(rest))


NOTICE_WORDS = 3  # a line of at least this many words, nearly all the form's prose, is its printed notice


def _notice_line(line: list) -> bool:
    """The form's notice read into a zone's top on a scan ('this certificate does not confer rights
    to the certificate holder in lieu of such'), not a name: a short line of form words may be one."""
    text = line_text(line)
    return len(text.split()) >= NOTICE_WORDS and is_form_prose(text)


DEBRIS_CHARS = 3  # letters and digits: a scan's line this short, read unsure, is debris above a name


def _debris_line(line: list) -> bool:
    """OCR debris read as a zone's first line on a scan ('°', 'ey'): no letter or digit, or a few read unsure."""
    chars = sum(c.isalnum() for w in line for c in w.text)
    unsure = all(w.confidence is not None and w.confidence < SPECK_SURE for w in line)
    return chars == 0 or (unsure and chars <= DEBRIS_CHARS)


SPECK_HEIGHT = 0.5  # of the zone's usual word height: an OCR word this flat is a speck of dirt or a rule's end
SPECK_SURE = 0.5  # ... when OCR is this unsure of it


def without_specks(words: list) -> list:
    """The words of a scanned zone without OCR debris: flat, unsure 'words' read from specks and rules.

    A speck above a name would be taken for the name's line and push the name into the address."""
    usual = usual_height(words)
    return [w for w in words if w.confidence is None or w.confidence >= SPECK_SURE or w.height >= SPECK_HEIGHT * usual]


def _record(ev: Evidence, pointer: str, value: Value | None, clean=None, *, sure: float = CLEAN) -> str | None:
    if value is None:
        return None
    text = normalise_text(value.text)
    if clean is not None:
        text = normalise_text(clean(text))
    if not text:
        return None
    ev.add(pointer, value.box, sure)
    return text
