"""Per-field plausibility: a value that does not look like what its box holds is not sure.

The layout reader finds a zone by its printed labels and reads what lies in it.  On a
scan, a label read wrong or a zone drawn a few points off gives a value that parses but
belongs elsewhere ("5" for a limit, a label's text for a fax number, "N, 6089057" for a
policy number).  Each check below knows what a value of its field looks like on real
certificates; a value that fails is kept (it may still be right) but its confidence is
lowered below the review threshold, so it can never approve a certificate on its own.

Checks apply to every reading; the ones that also hold for odd but genuine born-digital
values (a one-day policy term, an unusual limit) apply only to OCR readings, where a
strange value is far more often a misreading than a fact.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, Callable

from pipeline.acord25.confidence import MISFIT, of_item
from pipeline.acord25.parse import parse_date
from pipeline.acord25.printed import NOTICES
from pipeline.acord25.template import printed_phrases

DOUBT = MISFIT  # the unfitted confidence of a value that fails a check: below review (0.9), above a guess

_PHONE = re.compile(r"^\+?1?[\s.\-]?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]\d{4}(\s*(x|ext\.?)\s*\d{1,6})?$", re.I)
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
_POLICY = re.compile(r"^[A-Z0-9][A-Z0-9\-/.#]*( ?[A-Z0-9\-/.#]+)*$", re.I)
_NAIC = re.compile(r"^\d{5}$")
_ODD_CHARS = re.compile(r"[{}\[\]|\\~<>;_=@^*]")
# marks a typed free text does not hold (a description of operations or of a coverage): on a scan, OCR's reading
# of a rule, of a glyph cut at its box's side (a back slash for a letter the writer cut), or of speckle. Brackets,
# < > = ~ ^ and _ are typed in descriptions ('[Fleet 7]', '> 26,000 lbs', an e-mail address) and are not here
_TEXT_ODD = re.compile(r"[{}|\\«»]")
# the fewest letters and digits a typed free text holds: a description of one letter or digit ('i', '1') is OCR's
# reading of a speck or of a rule's end beside its box, not a coverage's or operations' description
FREE_TEXT_MIN_CHARS = 2
_ZIP_END = re.compile(r"\b[A-Z]{2}\.?,?\s+\d{5}(-\d{4})?$")
_ZIPLIKE_END = re.compile(r"[A-Za-z]{2}\.?,?\s+\S{4,10}$")


def review(cert: dict[str, Any], evidence: dict[str, dict[str, Any]], *, ocr: bool) -> list[str]:
    """Record ``fits: false`` in the evidence of each value that does not fit its field's kind, and lower
    its confidence to what :func:`pipeline.acord25.confidence.confidence` gives it then; the pointers
    lowered."""
    lowered: list[str] = []

    def doubt(pointer: str) -> None:
        item = evidence.get(pointer)
        if item is None or item.get("fits") is False:
            return
        item["fits"] = False
        lowered_to = min(item["confidence"], round(of_item(item, ocr=ocr), 3))
        if lowered_to < item["confidence"]:
            item["confidence"] = lowered_to
            lowered.append(pointer)

    def check(pointer: str, value: Any, ok: Callable[[Any], bool]) -> None:
        if value is not None and not ok(value):
            doubt(pointer)

    producer = cert.get("producer") or {}
    check("/producer/phone", producer.get("phone"), phone_like)
    check("/producer/fax", producer.get("fax"), phone_like)
    check("/producer/email", producer.get("email"), lambda v: bool(_EMAIL.match(v)))
    check("/date", cert.get("date"), year_plausible)
    if ocr:
        check("/date", cert.get("date"), lambda v: issued_in_term(v, cert.get("policies") or []))
        check("/description_of_operations", cert.get("description_of_operations"), lambda v: not is_form_label(v))
        check("/description_of_operations", cert.get("description_of_operations"), free_text_like)
    for key in ("certificate_number", "revision_number"):
        check(f"/{key}", cert.get(key), lambda v: len(v) <= 25 and not _ODD_CHARS.search(v) and " " not in v.strip()
              and not is_label_words(v))
    if ocr:
        for pointer, value in (
            ("/producer/name", producer.get("name")), ("/producer/contact_name", producer.get("contact_name")),
            ("/insured/name", (cert.get("insured") or {}).get("name")),
            ("/certificate_holder/name", (cert.get("certificate_holder") or {}).get("name")),
        ):
            check(pointer, value, lambda v: name_like(v) and not _PLACE.search(v) and not is_form_label(v)
                  and not is_form_prose(v))
        for pointer, value in (
            ("/producer/address", producer.get("address")),
            ("/insured/address", (cert.get("insured") or {}).get("address")),
            ("/certificate_holder/address", (cert.get("certificate_holder") or {}).get("address")),
        ):
            check(pointer, value, address_like)
    letters = set()
    for i, insurer in enumerate(cert.get("insurers") or []):
        letters.add(insurer.get("letter"))
        check(f"/insurers/{i}/naic", insurer.get("naic"), lambda v: bool(_NAIC.match(v)))
        if ocr:
            check(f"/insurers/{i}/name", insurer.get("name"), lambda v: name_like(v) and not is_form_prose(v))
    codes = {i.get("naic") for i in cert.get("insurers") or [] if i.get("naic")}
    for i, policy in enumerate(cert.get("policies") or []):
        _policy(f"/policies/{i}", policy, letters, check, doubt, ocr=ocr)
        if not ocr:
            continue
        check(f"/policies/{i}/policy_number", policy.get("policy_number"), lambda v: not naic_like(v, codes))
        check(f"/policies/{i}/description", policy.get("description"), free_text_like)
        if not same_line(evidence, [f"/policies/{i}/{k}" for k in ("policy_number", "effective", "expiration")]):
            for key in ("policy_number", "effective", "expiration"):  # read from different rows: which one is unknown
                doubt(f"/policies/{i}/{key}")
    return lowered


def _policy(base: str, policy: dict[str, Any], letters: set, check, doubt, *, ocr: bool) -> None:
    letter = policy.get("insurer_letter")
    check(f"{base}/insurer_letter", letter, lambda v: v in "ABCDEF" and (not letters or v in letters))
    check(f"{base}/policy_number", policy.get("policy_number"), policy_number_like)
    if parse_date(policy.get("policy_number") or ""):  # a date in the number's column: the columns were misplaced
        for key in ("policy_number", "effective", "expiration"):
            doubt(f"{base}/{key}")
    effective, expiration = policy.get("effective"), policy.get("expiration")
    check(f"{base}/effective", effective, year_plausible)
    check(f"{base}/expiration", expiration, year_plausible)
    if effective and expiration and not term_plausible(effective, expiration, strict=ocr):
        doubt(f"{base}/effective")
        doubt(f"{base}/expiration")
    limits = policy.get("limits") or {}
    for key, amount in limits.items():
        check(f"{base}/limits/{key}", amount, lambda v, k=key: amount_plausible(k, v, strict=ocr))
    if policy.get("line") == "general_liability":
        occurrence, aggregate = limits.get("each_occurrence"), limits.get("general_aggregate")
        if occurrence and aggregate and aggregate < occurrence:
            doubt(f"{base}/limits/each_occurrence")
            doubt(f"{base}/limits/general_aggregate")


_PLACE = re.compile(r"^[A-Za-z .'\-]+,\s*[A-Z]{2}\.?(\s+\d{5}(-\d{4})?)?$")  # 'Fairview, TX': a city line, not a name


def free_text_like(text: str) -> bool:
    """A free text as a certificate prints one: no mark of :data:`_TEXT_ODD` (OCR's reading of a rule, a cut glyph
    or speckle), and at least :data:`FREE_TEXT_MIN_CHARS` letters or digits."""
    return not _TEXT_ODD.search(text) and sum(c.isalnum() for c in text) >= FREE_TEXT_MIN_CHARS


def issued_in_term(iso: str, policies: list[dict[str, Any]]) -> bool:
    """A certificate is dated within a year of its policies' terms (a misread year falls far outside)."""
    try:
        issued = dt.date.fromisoformat(iso)
    except ValueError:
        return False
    starts, ends = [], []
    for policy in policies:
        for key, out in (("effective", starts), ("expiration", ends)):
            try:
                out.append(dt.date.fromisoformat(policy.get(key) or ""))
            except ValueError:
                pass
    year = dt.timedelta(days=366)
    if starts and issued < min(starts) - year:
        return False
    return not ends or issued <= max(ends) + year


def is_form_label(value: str) -> bool:
    """True when ``value`` is one of the form's own printed labels (read where a value was expected)."""
    key = re.sub(r"\W+", "", value).upper()
    return bool(key) and any(key == re.sub(r"\W+", "", "".join(label)).upper() for label in printed_phrases())


def is_label_words(value: str) -> bool:
    """True when ``value`` holds no digit and only words of the form's printed labels ('NUMBER:' read in
    the box beside 'REVISION'): print of the form, not a value."""
    words = re.findall(r"[A-Z]+", value.upper())
    return bool(words) and not any(c.isdigit() for c in value) and \
        all(len(w) >= LABEL_WORD_CHARS and w in _label_words() for w in words)


@functools.cache
def _label_words() -> frozenset[str]:
    return frozenset(w for label in printed_phrases() for part in label for w in re.findall(r"[A-Z]+", part.upper()))


# The form's own printed prose: its notices, and the longer labels a zone placed a line off reads on a scan
_FORM_LABEL_PROSE = """
CERTIFICATE OF LIABILITY INSURANCE  DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES (ACORD 101, Additional Remarks
Schedule, may be attached if more space is required)  INSURER(S) AFFORDING COVERAGE  CERTIFICATE HOLDER
"""
_FORM_WORDS = frozenset(re.findall(r"[a-z]+", " ".join((*NOTICES, _FORM_LABEL_PROSE)).lower()))
# words that are never a name on their own (a name read as one stray word of the form's prose)
_FUNCTION_WORDS = frozenset("""a an and are as at be been by for from has have if in is it its may must no nor not
of on or so such than that the their then there these this those to upon was were which who will with""".split())
LABEL_WORD_CHARS = 3  # a shorter word of the form's labels ('A', 'OF') may well be a value's
PROSE_SHARE = 0.8  # of a value's words that are the form's own prose: the value is the form's text


def is_form_prose(value: str) -> bool:
    """True when ``value`` is made of the form's printed prose: only function words ('not', 'of the'), or
    three or more words nearly all from the form's notices ('this certificate does not confer rights...')."""
    words = re.findall(r"[a-z]+", value.lower())
    if not words:
        return False
    if all(w in _FUNCTION_WORDS for w in words):
        return True
    if len(words) <= 2:  # 'rights', 'endorsement(s)': a stray word or two of the notices
        return all(w in _FORM_WORDS for w in words)
    return sum(w in _FORM_WORDS for w in words) >= PROSE_SHARE * len(words)


def naic_like(number: str, codes: set[str]) -> bool:
    """A policy 'number' that is one of the page's NAIC codes (the insurers' column read as the table's)."""
    digits = re.sub(r"[\s\-]", "", number)
    return digits.isdigit() and digits in codes


def same_line(evidence: dict[str, dict[str, Any]], pointers: list[str]) -> bool:
    """True unless the values at ``pointers`` were read from different lines of the page.

    A policy's number and dates are printed on one line of its row; when a row's band spans two rows
    (a line's label unread on a scan), its cells may take their values from different rows."""
    boxes = [evidence[p]["bbox"] for p in pointers if p in evidence]
    if len(boxes) < 2:
        return True
    centres = [(b[1] + b[3]) / 2 for b in boxes]
    height = max(min(b[3] - b[1] for b in boxes), 1.0)
    return max(centres) - min(centres) <= 1.5 * height


def phone_like(value: str) -> bool:
    return bool(_PHONE.match(value.strip()))


def name_like(value: str) -> bool:
    """A party's name as printed: mostly letters, no OCR debris, not a lone fragment."""
    letters = sum(c.isalpha() for c in value)
    return letters >= 2 and letters >= 0.5 * len(value.replace(" ", "")) and not _ODD_CHARS.search(value)


def address_like(value: str) -> bool:
    """A US address ends in 'ST 12345'; an ending that looks like one but is not (OCR 'MN SS060') fails."""
    text = value.strip().rstrip(".")
    if _ODD_CHARS.search(text):
        return False
    if _ZIP_END.search(text):
        return True
    return not _ZIPLIKE_END.search(text) or not any(c.isdigit() for c in text[-10:])


def policy_number_like(value: str) -> bool:
    """One token (or a few joined by single spaces) of letters and digits with some digits in it."""
    v = value.strip()
    if not (3 <= len(v) <= 30) or "," in v or not _POLICY.match(v):
        return False
    tokens = v.split()
    if len(tokens) > 1 and len(tokens[0]) == 1 and tokens[0].upper() in "YNX":
        return False  # a flag column's Y/N read into the number
    return sum(c.isdigit() for c in v) >= 2


EARLIEST_YEAR, YEARS_AHEAD = 1985, 6  # a certificate's dates fall in these years: from 1985 to six years from now


def plausible_year(year: int) -> bool:
    """True for a year a certificate's date or a policy's may fall in (EARLIEST_YEAR to YEARS_AHEAD from now)."""
    return EARLIEST_YEAR <= year <= dt.date.today().year + YEARS_AHEAD


def year_plausible(iso: str) -> bool:
    try:
        return plausible_year(dt.date.fromisoformat(iso).year)
    except ValueError:
        return False


def term_plausible(effective: str, expiration: str, *, strict: bool) -> bool:
    """Expiration after effective, within five years; on a scan also a usual term (whole months)."""
    try:
        start, end = dt.date.fromisoformat(effective), dt.date.fromisoformat(expiration)
    except ValueError:
        return False
    if strict and not (start < end <= start + dt.timedelta(days=5 * 366)):
        return False
    if not strict:
        return True
    # nearly every policy runs a year (or whole years, or a few months) from its start day
    months = (end.year - start.year) * 12 + end.month - start.month
    usual = months <= USUAL_MONTHS or months % 12 == 0
    return (start.day == end.day and usual) or abs((end - start).days - 365) <= 1


USUAL_MONTHS = 13  # a term of more months than this is whole years ('2023-01-04' to '2024-11-04': a misread month)


def amount_plausible(key: str, amount: int, *, strict: bool) -> bool:
    """A limit is a round amount of at least $1,000 (a retention may be smaller, still round)."""
    if not isinstance(amount, int) or amount <= 0 or amount > 500_000_000:
        return False
    if key == "retention":
        return amount % 100 == 0
    if amount < 1000:
        return False
    return not strict or amount % 1000 == 0
