"""Values by kind: what the words found in one field's box mean, once for every field of a kind.

Each reader takes the lines of words in a box (top to bottom, each left to right) and returns the
value and how it was found (a key of ``pipeline/acord25/confidence.json``), or None.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.acord25 import postal
from pipeline.acord25.layout import line_text
from pipeline.acord25.plausible import plausible_year
from pipeline.acord25.parse import (is_check_glyph, is_placeholder_signature, join_digits, parse_amounts, parse_date,
                                   parse_flag)
from pipeline.textlayer import Word

Line = list[Word]

FILLER = re.compile(r"^(x{3,}|n/?a|none|excluded)$", re.I)
_CARE_OF = re.compile(r"^(c/o|care\s+of|attn:?)\b", re.I)
# OCR's readings of a line's leading "c/o": the slash as a look-alike stroke or mark, the c as an e ('c’o', 'elo')
_CARE_OF_OCR = re.compile(r"^[ce][’'`|lI1i][o0](?=\s)", re.I)
# a house number OCR read with a speck in it or after it ('3711.', '21.75' for 2175): the digits are the number
_HOUSE_SPECK = re.compile(r"^(\d+)[.,'’`]+(\d*)(?=\s)")
_ID_ONLY = re.compile(r"^[#:]?\s*(?=(?:-?\d){5})\d[\d-]*\d$")  # a bare customer or holder id (digits, maybe dashed) on a line of its own
_LICENCE = re.compile(r"\b(lic(ense|ence)?\s*(#|no\.?|number)|lic#|n\s?p\s?n\b|customer\s*(id|#)|acct\.?\s*#|account\s*#"
                      r"|client\s*(id|#|:)|agency\s*(id|code)|producer\s*(id|code)|fein\b)", re.I)
_KERNED = re.compile(r"\b([A-Za-z]) (?=[a-z])")  # a word's first letter set apart from the rest by kerning
_STREET = re.compile(r"^(\d+[\w-]*\s|p\.?\s*o\.?\s*box\b|post\s+office\b|po\s+drawer\b|one\s|two\s|suite\b|ste\b"
                     r"|attn\b|\d+$)", re.I)
# a phone number standing alone: no digit just before or after it (a longer run of digits is no phone number, not
# one with its first ten digits taken)
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?:\s*(?:x|ext\.?)\s*\d+)?(?!\d)", re.I)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_JOINS = re.compile(r"\s*([@.])\s*|(?<=\w-)\s+(?=\w)")  # the spaces OCR puts in an address: around '@' and '.', after '-'
# the dot before an address's last part read as a space ("name@agency com"): the domain's top level, joined back
_LOST_DOT = re.compile(r"(@[\w-]+)\s+(com|net|org|biz|info|us|co)\b", re.I)
# the same dot read as a mark ("name@agency-com", "name@agency,net") in an address whose domain holds no dot: the
# address's whole line, pieces joined; its last mark before a top-level domain is the dot
# (only the three endings that rarely end a hyphenated name themselves: 'acme-info', 'hub-us' are names)
_DOT_AS_MARK = re.compile(r"^([\w.+'-]+@[\w-]+?)[-,](com|net|org)$", re.I)
_CONTACT_WORD = re.compile(r"^(phone|tel|ph|fax|e-?mail|email|contact|cell|mobile)\b[:.]?", re.I)
_NAIC = re.compile(r"^\d{4,5}$")  # a code below 10000 is printed without its leading zero too
_DIGIT_LOOKALIKES = str.maketrans("SOoIlBZG", "50011826")
# a ZIP after a state code, read with a digit's look-alike letter (at least two real digits kept)
_ZIP_MISREAD = re.compile(r"(\b[A-Z]{2}\.?,?\s+)((?=(?:\S*\d){2})[\dSOoIlBZG]{5}(?:-[\dSOoIlBZG]{4})?)$")
_LETTER = re.compile(r"^[A-Fa-f]$")
# a word's capital I read as a look-alike ('lrving', 'Jrving', '|rving', '1rving'): no English word or name
# starts with l, J, |, 1 or ! before a consonant (but l, y: 'Lloyd', 'Lyle'), as a capital I does ('Ironwood', 'Ivy')
_CAPITAL_I = re.compile(r"(?<![\w'’])[lJ|1!](?=[bcdfghjkmnpqrstvwxz][a-z]{2})")
# a word's last y read as v: a value printed low in a tight row (the 2001/08 edition's insurer rows) has its
# descenders cut by its field's edge or the rule below it, and a y without its tail is a v (a company, an agency, a
# casualty or surety company). Only a word of CUT_Y_LETTERS letters or more: short words and abbreviations do end
# in a consonant and v (Serv, Inv, Adv, Conv, Irv, Harv), longer English words and names don't ('Kyiv', 'Rostov',
# 'Gorbachev' end in a vowel and v)
CUT_Y_LETTERS = 6
_CUT_Y = re.compile(rf"(?<![\w'’])([A-Za-z]{{{CUT_Y_LETTERS - 2},}}[bcdfghjklmnpqrstwxz])v(?![\w'’])")
_CODE_SIGNS = str.maketrans({"$": "S", "©": "C", "®": "R", "€": "C", "¢": "C"})  # signs OCR reads for a code's letters
_SPREAD_AMOUNT = re.compile(r"(?<=\d)\s+(,)|(?<=[$,])\s+(?=\d)")  # "$ 1 ,000, 000": one amount
# a thousands comma OCR read as a gap between two words ("1,000 000.00"): after a comma's group of three digits,
# a word of three digits (with its cents or not) goes on the same amount
_LOST_COMMA = re.compile(r"(?<=,\d{3})\s+(?=\d{3}(?:[.,]\d{2})?(?:\s|$))")
MIN_LIMIT = 100  # dollars: no limit or deductible on a certificate is smaller
ZERO_LOOKALIKES = "689"  # digits tesseract reads for a doubtfully printed 0 (an open, broken or filled-in ring)
ANSWER_SPECKS = ".,:;'\"°-_~`*"  # what OCR reads a speck or a rule's end beside a Y/N cell's one letter as
LETTER_READ_TWICE = 2  # characters of one printed letter OCR read twice over itself ('Cc' for C)
_ANSWER_LOOKALIKES = str.maketrans({"¥": "Y"})  # a sign tesseract reads for a printed Y
DOUBTED_AMOUNT = 0.5  # an amount's word read less surely than this may hold a zero's look-alike
STRAY_LINE_CHARS = 2  # an OCR line of a party block with this many letters or fewer, and no digit, is a speck


def text_of(line: Line) -> str:
    return " ".join(w.text for w in line)


def is_filler(text: str) -> bool:
    return bool(FILLER.match(text.strip()))


def read_text(lines: list[Line]) -> tuple[str, str] | None:
    kept = [text_of(line) for line in lines if not is_filler(text_of(line))]
    if not kept:
        return None
    return " ".join(kept), "in_box" if len(kept) == 1 else "joined_lines"


def mended_code(text: str) -> str:
    """A policy number as OCR read it, with the signs it reads for a code's letters put back: '$' for S, '©' '€' '¢'
    for C, '®' for R, inside a word that holds digits ('X$12345678', '©AB-0012345-00'). No policy number holds them."""
    return " ".join(w.translate(_CODE_SIGNS) if any(c.isdigit() for c in w) else w for w in text.split(" "))


def with_capital_i(text: str) -> str:
    """OCR's text of a name or address with each word's capital I read as a look-alike put back (``_CAPITAL_I``)."""
    return _CAPITAL_I.sub("I", text)


def with_cut_y(text: str) -> str:
    """OCR's text of a name or address with each word's last y read as v, its tail cut, put back (``_CUT_Y``)."""
    return _CUT_Y.sub(r"\1y", text)


def read_first(lines: list[Line], parse: Any) -> tuple[Any, str] | None:
    """The first line that parses (a stacked cell's first value)."""
    for i, line in enumerate(lines):
        text = text_of(line)
        if is_filler(text):
            continue
        value = parse(text)
        if value is not None:
            return value, "in_box" if len(lines) == 1 and i == 0 else "first_of_stack"
    return None


_SPLIT_DATE = (re.compile(r"(\d{1,2}/\d{1,2}/\d{4})"), re.compile(r"(\d{1,2}/\d{1,2}/\d{2})"))
# a date printed MM/DD/YY(YY) with one of its two slashes lost by OCR ("0526/24", "05/2624"): its digits, two and two,
# then the year, split again only where the other slash still stands
# (never a month and its year of this century, "11/2025", which is printed so and holds no day; "05/1925" is 05/19/25
# with a slash lost: no month of 1925 is printed on a certificate)
_SLASH_LOST = (re.compile(r"(?<!\d)(\d{2})(\d{2})/(\d{4}|\d{2})(?!\d)"),
               re.compile(r"(?<!\d)(\d{2})/(?!20\d{2}(?!\d))(\d{2})(\d{4}|\d{2})(?!\d)"))


def read_date(lines: list[Line]) -> tuple[str, str] | None:
    """The first date; when no line holds one whole, a date OCR broke into pieces ("12/1." "1/2023"),
    its pieces joined (the first of them, when two dates ran together); else a word that is a date printed with
    two digits of month and of day with one slash lost, the slash put back (below trust)."""
    found = read_first(lines, parse_date)
    if found is not None:
        return found
    for line in lines:
        joined = re.sub(r"[.,\s]", "", "".join(w.text for w in line))
        for pattern in _SPLIT_DATE:
            m = pattern.search(joined)
            if m and parse_date(m.group(1)) is not None:
                return parse_date(m.group(1)), "rejoined"
    for line in lines:
        for w in line:
            for pattern in _SLASH_LOST:
                m = pattern.fullmatch(w.text.strip(".,:;'"))
                if m and (day := parse_date("/".join(m.groups()))) is not None:
                    return day, "rejoined"
    return None


TERM_YEARS = (1, 2, 3)  # a policy's term in whole years: it runs from a day to the same day this many years on
MENDED_EDITS = 1  # a coverage date OCR read to no date is its row's other date so many years on, up to this many edits
# digits a date OCR read to no date must keep to be mended: fewer leave one edit of too many dates (a date prints
# 4 to 8 digits)
MENDED_LEAST_DIGITS = 5


def mended_date(text: str, other: str, later: bool) -> str | None:
    """A coverage date OCR read to no date ('0327/24', a slash lost; '42/08/2022', a 1 read as 4), known again from
    its row's other date (ISO, ``other``): ``later`` when it is the expiration. A policy runs from a day to the same
    day whole years on (TERM_YEARS), so the one it is must print as the other date that many years off, in one
    of the form's date styles (M/D or MM/DD, two- or four-digit years), within MENDED_EDITS edits of the digits
    read; of the terms, the one closest to them, when it alone is closest."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < MENDED_LEAST_DIGITS:
        return None
    year, month, day = (int(p) for p in other.split("-"))
    found = []
    for term in TERM_YEARS:
        y = year + term if later else year - term
        try:
            iso = date(y, month, day).isoformat()
        except ValueError:  # the 29th of February in a year without it
            continue
        styles = {f"{month:02d}{day:02d}{y}", f"{month}{day}{y}", f"{month:02d}{day:02d}{y % 100:02d}",
                  f"{month}{day}{y % 100:02d}"}
        found.append((min(Levenshtein.distance(digits, s) for s in styles), iso))
    if not found:
        return None
    best = min(d for d, _ in found)
    closest = [iso for d, iso in found if d == best]
    return closest[0] if best <= MENDED_EDITS and len(closest) == 1 else None


# the form's date styles (M/D or MM/DD, four- or two-digit year): one agency system prints a row's two dates in one
ROW_DATE_STYLES = ("{m:02d}/{d:02d}/{y}", "{m}/{d}/{y}", "{m:02d}/{d:02d}/{yy:02d}", "{m}/{d}/{yy:02d}")
PRINT_LOST, PRINT_MISREAD = 1, 2  # the cost of a printed character OCR lost (overprinted, cut at a rule), of one it
# read wrong or read from nothing: print a larger font runs over the rule hides characters, it does not make them
ROW_DATES_SHARE = 0.3  # a row's two dates are known again when their print costs at most this share of its length
ROW_DATES_LEAST_DIGITS = 8  # digits a row's date cells must hold, together, to be read as its two dates


def whole_term(effective: str | None, expiration: str | None) -> bool:
    """True when a policy runs from a day to the same day whole years on (TERM_YEARS)."""
    if not effective or not expiration:
        return False
    start, end = date.fromisoformat(effective), date.fromisoformat(expiration)
    return (start.month, start.day) == (end.month, end.day) and end.year - start.year in TERM_YEARS


def row_dates(text: str, issued: str | None, read: tuple[str | None, str | None] = (None, None)
              ) -> tuple[str, str] | None:
    """A coverage row's effective and expiration dates from the print OCR read across both its date cells
    (``text``: the two cells' words, left to right), when the dates as read (``read``: those of plausible years) are
    no policy's term: a date printed larger than its cell runs over the rule into the next one, the two prints
    overlap and OCR reads them as one ('12/11/202@/11/20', '12/20/20' + '22/20/2023'), or OCR reads a digit wrong
    ('12/23/2624'), one too many ('08/17/72026') or a speck as one ('1 2/13/24').

    A policy runs from a day to the same day TERM_YEARS on, both dates printed in one of ROW_DATE_STYLES; of every
    such pair (and the pair as read, when both dates were read), the one whose print is closest to the digits and
    slashes read (a printed character lost costs PRINT_LOST, one read wrong or from nothing PRINT_MISREAD), within
    ROW_DATES_SHARE of its print's length, when it alone is closest; of pairs equally close, the one with the shorter
    term (most policies run a year). A date read whole (a four-digit year, its own print in ``text``) is kept: only
    pairs that hold it are looked for. A pair whose term holds the certificate's date (``issued``, ISO: a
    certificate states the insurance in force on its date, and a year overprinted is known by it) may cost up to
    ROW_DATES_SHARE; any other (a renewal not yet begun, a policy ended, no date read) at most one character read
    wrong, and of pairs as close, one that holds it is taken first. None when no pair is so found."""
    seen = re.sub(r"[^\d/]", "", text)
    if sum(c.isdigit() for c in seen) < ROW_DATES_LEAST_DIGITS:
        return None
    years = {int(y) for y in re.findall(r"(?:19|20)\d\d", seen)} | \
        {2000 + int(y) for y in re.findall(r"(?<=/)\d\d(?!\d)", seen)}
    years |= {int(issued[:4])} if issued else set()
    starts = sorted({y - back for y in years for back in range(max(TERM_YEARS) + 1)
                     if plausible_year(y - back)})
    days = {(int(m), int(d)) for m, d in re.findall(r"(?=(?<!\d)(\d{1,2})/(\d{1,2})/)", seen)}  # (both print it)
    spaced = re.sub(r"[^\d/\s]", "", text)
    kept = [iso if iso and any(re.search(rf"(?<![\d/]){re.escape(_printed(iso, style))}(?![\d/])", spaced)
                               for style in ROW_DATE_STYLES if "{y}" in style) else None for iso in read]
    pairs: list[tuple[str, str]] = []
    prints: list[str] = []
    for start in starts:
        for month, day in days:
            for term in TERM_YEARS:
                try:
                    pair = (date(start, month, day).isoformat(), date(start + term, month, day).isoformat())
                except ValueError:  # no such day (a misread month or day), or the 29th of February
                    continue
                if any(k is not None and k != v for k, v in zip(kept, pair)):
                    continue
                for style in ROW_DATE_STYLES:
                    pairs.append(pair)
                    prints.append(_printed(pair[0], style) + _printed(pair[1], style))
    if read[0] and read[1]:
        for style in ROW_DATE_STYLES:  # the pair as read, whatever its term (a six-month policy read right stays)
            pairs.append((read[0], read[1]))
            prints.append(_printed(read[0], style) + _printed(read[1], style))
    if not pairs:
        return None
    costs = process.cdist([seen], prints, scorer=Levenshtein.distance,
                          scorer_kwargs={"weights": (PRINT_LOST, PRINT_MISREAD, PRINT_MISREAD)})[0]
    best: dict[tuple[str, str], tuple[int, int, int]] = {}
    for pair, printed, cost in zip(pairs, prints, costs):
        holds = issued is not None and pair[0] <= issued <= pair[1]
        if cost <= (ROW_DATES_SHARE * len(printed) if holds else PRINT_MISREAD):
            # (cost, holds, term): of pairs whose print is as close, one in force on the certificate's date, the
            # shorter term
            score = (int(cost), int(not holds), int(pair[1][:4]) - int(pair[0][:4]))
            best[pair] = min(best.get(pair, score), score)
    if not best:
        return None
    least = min(best.values())
    closest = [pair for pair, score in best.items() if score == least]
    return closest[0] if len(closest) == 1 else None


def _printed(iso: str, style: str) -> str:
    y, m, d = (int(p) for p in iso.split("-"))
    return style.format(m=m, d=d, y=y, yy=y % 100)


def read_amount(lines: list[Line]) -> tuple[int, str] | None:
    """The first line's amount. Of words with amounts on one line, the last word's: a LIMITS area prints
    the limit at its right, after what qualifies it ("Occur/$3M Agg   $1,000,000", "$500 Ded
    $500,000/accident"); in one word ("$2M/$10M"), its first amount. An amount OCR doubted whose zeros
    read as look-alikes (:func:`rounded`) is the round amount."""
    found = read_first(lines, _last_words_amount)
    if found is None:
        return None
    words = [w for line in lines for w in line if any(c.isdigit() for c in w.text)]
    if found[0] < MIN_LIMIT and words and all(w.confidence is not None for w in words):
        return None  # OCR: the zeros of a limit whose first digits were lost ("000"), or a speck: no amount
    doubted = any(w.confidence is not None and w.confidence < DOUBTED_AMOUNT for w in words)
    return (rounded(found[0]) if doubted else found[0]), found[1]


def rounded(amount: int) -> int:
    """A limit printed as its first digit and zeros ("500,000", "1,000,000") that OCR read with some of the zeros
    as look-alike digits ("599,000", "1,060,000", "19,000"): every digit after the first is a zero or one of
    ZERO_LOOKALIKES, and the thousands are zeros. Any other amount is returned as it is."""
    text = str(amount)
    rest = text[1:]
    if len(text) < 5 or not text.endswith("000") or rest.strip("0") == "" or \
            any(c != "0" and c not in ZERO_LOOKALIKES for c in rest):
        return amount
    return int(text[0] + "0" * len(rest))


def _last_words_amount(text: str) -> int | None:
    text = _LOST_COMMA.sub(",", _SPREAD_AMOUNT.sub(r"\1", text))
    words = [amounts[0] for amounts in (parse_amounts(w) for w in text.split())
             if amounts]  # (the digits of one amount spread over words by its font's spacing are one word)
    money = [a for a in words if a >= MIN_LIMIT]  # a stray digit (a speck OCR read as "5") is no limit
    return (money or words)[-1] if words else None


def read_naic(lines: list[Line]) -> tuple[str, str] | None:
    """The box's code; else one spread a digit a word (a comb field's spacing: "1 1 1 1")."""
    codes = [w.text.strip(".,:;|#") for line in lines for w in line if _NAIC.match(w.text.strip(".,:;|#"))]
    if not codes:
        codes = [t for line in lines for t in join_digits(text_of(line)).split() if _NAIC.match(t.strip(".,:;|#"))]
    return (codes[0].strip(".,:;|#"), "in_box") if codes else None


def read_letter(lines: list[Line]) -> tuple[str, str] | None:
    """The cell's insurer letter; else, OCR having read the one letter twice ('Cc') or with specks beside it ('A.'),
    the letter of the words that read as one alone (:func:`letter_of`), when they agree (below trust, as
    :func:`read_yn`'s stack)."""
    letters = [w.text.upper() for line in lines for w in line if _LETTER.match(w.text)]
    if letters:
        return letters[0], "in_box"
    found = {letter_of(w.text) for line in lines for w in line if w.confidence is not None} - {None}
    return (found.pop(), "first_of_stack") if len(found) == 1 else None


def letter_of(text: str) -> str | None:
    """The insurer letter an OCR word of a letter cell reads as alone: without the specks and rule ends read beside
    it ('A.'), and one letter read twice over itself ('Cc', 'cC'); None for any other word."""
    core = text.strip(ANSWER_SPECKS)
    if len(core) == LETTER_READ_TWICE and core[0].upper() == core[1].upper():
        core = core[0]
    return core.upper() if _LETTER.match(core) else None


def read_yn(lines: list[Line]) -> tuple[bool, str] | None:
    """The cell's Y or N; else, OCR having read the one letter twice ('N' and a misreading 'Nosy' over it) or with
    specks beside it ('N-'), the answer of the words that read as one alone (:func:`answer_of`), when they agree
    (as one of a stack: below trust)."""
    for line in lines:
        flag = parse_flag(text_of(line))
        if flag is not None:
            return flag, "in_box"
    flags = {parse_flag(answer_of(w.text)) for line in lines for w in line if w.confidence is not None} - {None}
    return (flags.pop(), "first_of_stack") if len(flags) == 1 else None


def answer_of(text: str) -> str:
    """An OCR word of a Y/N cell without the specks and rule ends read beside its one letter ('N-', 'Y.°'), its
    look-alike signs read as the letter ('¥' for Y)."""
    return text.strip(ANSWER_SPECKS).translate(_ANSWER_LOOKALIKES)


def read_phone(lines: list[Line]) -> tuple[str, str] | None:
    for line in lines:
        text = _CONTACT_WORD.sub("", text_of(line)).strip()
        if is_filler(text):
            continue
        m = _PHONE.search(text)
        if m:
            return m.group(0).strip(), "in_box"
    return None


_PHONE_LOOKALIKES = str.maketrans("SOoIlBZG'|!i", "500118261111")  # a digit's look-alike letters and marks
_PHONE_GROUP = re.compile(r"(?<![^\s(.-])[\dSOoIlBZG'|!i]{3,4}(?![^\s).,:-])")  # a group of a phone's digits, as read


def read_phone_lookalikes(lines: list[Line]) -> tuple[str, str] | None:
    """An OCR phone number read with a digit's look-alike letter or mark in its groups ('555 123 4\'67',
    '5S5-123-4567'): a phone prints three groups of 3, 3 and 4 digits; a group of that many characters, most of
    them digits, is read back to digits (``_PHONE_LOOKALIKES``); the number is the first line so read that is one."""
    for line in lines:
        text = _CONTACT_WORD.sub("", text_of(line)).strip()
        mended = _PHONE_GROUP.sub(lambda m: m.group(0).translate(_PHONE_LOOKALIKES)
                                  if sum(c.isdigit() for c in m.group(0)) * 2 > len(m.group(0)) else m.group(0), text)
        m = _PHONE.search(mended)
        if m and mended != text:
            return m.group(0).strip(), "in_box"
    return None


def read_email(lines: list[Line]) -> tuple[str, str] | None:
    """The box's address; when it holds several, the first, as one of a stack (below trust). The spaces OCR puts
    in an address are taken out, and a dot it read as a space (or, in a domain with no dot, as a dash or a comma)
    before a top-level domain is put back."""
    found = [m.group(0) for line in lines  # 'name@ agency.com', 'name@pine- agency.com' split in words
             for m in _EMAIL.finditer(_LOST_DOT.sub(r"\1.\2", _EMAIL_JOINS.sub(r"\1", text_of(line))))]
    if not found:  # an address holds no space: OCR's pieces of it, split anywhere ('certs@granite-agenc' 'y.com'), joined
        joined = ["".join(w.text for w in line) for line in lines]
        found = [m.group(0) for text in joined if (m := _EMAIL.fullmatch(text))]
        found = found or [f"{m.group(1)}.{m.group(2)}" for text in joined if (m := _DOT_AS_MARK.match(text))]
        return (found[0], "rejoined") if found else None
    return found[0], "in_box" if len(found) == 1 else "first_of_stack"


def is_checked(words: list[Word], marks: list[Any]) -> bool:
    """A check box holds a mark (a drawn X or stroke, a box measured checked); or, where no box was seen or
    measured at all, a check glyph ('X') is read in it. A box seen or measured empty ("box" mark) is not
    checked by an 'X' OCR read near it: the box's own ink is the better witness (the glyph is a side's
    remains, or the neighbouring box's X)."""
    if any(m.kind in ("cross", "stroke") for m in marks):
        return True
    if any(m.kind == "box" for m in marks):
        return False
    return any(is_check_glyph(w.text) for w in words)


def read_signature(words: list[Word], marks: list[Any]) -> tuple[bool, str]:
    text = " ".join(w.text for w in words)
    if words and is_placeholder_signature(text):
        return False, "placeholder"
    if any(m.kind in ("drawing", "image") for m in marks) or words:
        return True, "in_box"
    return False, "empty"


def _stray_line(text: str) -> bool:
    """True for an OCR line of one or two letters and nothing else (a speck, a rule's end): no line of a
    party's name or address is that short."""
    return sum(c.isalnum() for c in text) <= STRAY_LINE_CHARS and not any(c.isdigit() for c in text)


def split_party(lines: list[Line], name_lines: int | None) -> dict[str, Any]:
    """A party block's lines -> name and address.

    ``name_lines``: how many lines sit on the form's name line (field by field); None for a free
    block, where the name runs until the first street line. Licence, NPN and customer-id lines are
    left out, and so are phone, fax and e-mail lines: they are neither name nor address, and the
    producer's contact is what its own CONTACT boxes hold (blank boxes are no contact, whatever the
    block prints: ../shared's hand-checked truth, NOTES.md). On OCR lines, a street whose house number was read
    with a speck in it ('3711. River Rd') is a street too, and a leading "c/o" read with look-alikes ('c’o',
    'elo') is one."""
    ocr = any(w.confidence is not None for line in lines for w in line)
    kept, kept_lines = [], []
    for line in lines:
        text = line_text(line)  # a wide gap (city | ST ZIP in boxes of their own) is a comma
        if is_filler(text):
            continue
        if _LICENCE.search(text) or _LICENCE.search(_KERNED.sub(r"\1", text)):  # ("C lient:": split by kerning)
            continue
        if _EMAIL.search(text) or (_CONTACT_WORD.match(text) and _PHONE.search(text)) or _PHONE.fullmatch(text):
            continue
        if _ID_ONLY.match(text):  # after the phone: a phone number is digits and dashes too
            continue
        if not kept and not any(c.isalpha() for c in text):
            continue  # a name has letters: a line above it without any is an id or debris
        if ocr and _stray_line(text):
            continue
        kept.append(text)
        kept_lines.append(line)
    if not kept:
        return {"name": None, "address": None, "how": "empty", "lines": ([], [])}
    if name_lines is not None and 0 < name_lines < len(kept):
        cut, how = name_lines, "in_box"
    elif ocr and (postal.is_street(kept[0], kept[1] if len(kept) > 1 else None) or postal.is_city_line(kept[0])):
        cut, how = 0, "split_at_street"  # OCR lost the name line: no name, rather than the street as one
    else:
        street = next((i for i, t in enumerate(kept) if i > 0 and (_STREET.match(t) or ocr and postal.is_street(
            _HOUSE_SPECK.sub(r"\1\2", t), kept[i + 1] if i + 1 < len(kept) else None))), None)
        cut, how = (street, "split_at_street") if street is not None else (1, "split_guessed")
    if ocr:  # a c/o line OCR read with look-alikes is one; so is a street's suffix ('Bivd'), a capital I ('lrving'),
        # a last y whose tail was cut ('Companv')
        kept = [with_cut_y(with_capital_i(_CARE_OF_OCR.sub("c/o", t) if i > 0 else t)) for i, t in enumerate(kept)]
        kept = [postal.with_suffix_mended(t) if i >= cut else t for i, t in enumerate(kept)]
    care_of = next((i for i, t in enumerate(kept) if i > 0 and _CARE_OF.match(t)), None)
    if care_of is not None and (care_of < cut or (care_of == cut and how != "in_box")):  # a c/o (attn) line starts the address, as the form's own
        cut, how = care_of, "care_of"  # fields have it (MailingAddress_LineOne); the print alone does not say
    if ocr:  # the city line ends an address: OCR lines below it are specks, ids or a licence line read as junk
        end = next((i + 1 for i, t in enumerate(kept) if i >= cut and postal.is_city_line(t)), len(kept))
        kept, kept_lines = kept[:end], kept_lines[:end]
    name = " ".join(kept[:cut]) or None
    if ocr and cut < len(kept):  # OCR: a ZIP's look-alike letters, and a state lost (the ZIP code's own)
        kept[-1] = _ZIP_MISREAD.sub(lambda m: m.group(1) + m.group(2).translate(_DIGIT_LOOKALIKES), kept[-1])
        kept[-1] = postal.with_state(kept[-1])
    address = ", ".join(kept[cut:]) or None
    return {"name": name, "address": address, "how": how,
            "lines": (kept_lines[:cut], kept_lines[cut:])}
