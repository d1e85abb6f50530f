"""Draw certificates in the ACORD 25 (2016/03) layout, for tests and the demo.

This is our own drawing of the form's boxes and labels with reportlab (not
ACORD's file), placed where the printed form has them, with the values in
their boxes.  The data are fictitious.

    cert = random_certificate(random.Random(7))
    pdf = draw_certificate(cert)   # born-digital PDF, text layer = labels + values
"""

from __future__ import annotations

import io
import logging
import random
from datetime import date, timedelta
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from pipeline.acord25.printed import CANCELLATION, CERTIFY, DISCLAIMER, IMPORTANT

logger = logging.getLogger(__name__)

PAGE_W, PAGE_H = letter  # 612 x 792
VALUE_FONT, VALUE_SIZE = "Helvetica", 9
LABEL_FONT, BOLD = "Helvetica", "Helvetica-Bold"

# ---------------------------------------------------------------- random data
_FIRST = ("Harbor", "Summit", "Granite", "Maple", "Bluewater", "Ironwood", "Cedar", "Northgate",
          "Prairie", "Redstone", "Silverline", "Oakridge", "Lakeshore", "Pinecrest", "Copperfield")
_TRADE = ("Roofing", "Plumbing", "Electric", "Masonry", "Landscaping", "Drywall", "Paving",
          "Framing", "Painting", "Concrete", "Glass", "Heating & Air", "Fence", "Excavation")
_FORMS = ("LLC", "Inc.", "Co.", "Corp.", "LLC", "Group LLC")
_AGENCY = ("Insurance Agency", "Insurance Services", "Risk Partners", "Brokerage Inc.", "Insurance Group")
_CARRIER_A = ("Atlantic", "Keystone", "Frontier", "Meridian", "Heritage", "Pioneer", "Sentinel", "Liberty Bell")
_CARRIER_B = ("Mutual Insurance Co", "Casualty Company", "Indemnity Co", "Assurance Company",
              "Specialty Insurance Co", "Fire & Casualty Co")
_STREETS = ("Main St", "Oak Ave", "Commerce Blvd", "Industrial Pkwy", "Market St", "Elm Dr",
            "River Rd", "Lakeview Ave", "Center St", "Mill Rd")
_CITIES = (("Springfield", "IL", "627"), ("Franklin", "TN", "370"), ("Riverside", "CA", "925"),
           ("Greenville", "SC", "296"), ("Madison", "WI", "537"), ("Salem", "OR", "973"),
           ("Fairview", "TX", "750"), ("Clinton", "NJ", "088"), ("Georgetown", "KY", "403"))
_PEOPLE = ("Dana Whitfield", "Marco Ruiz", "Priya Natarajan", "Colin Baxter", "Erin Holloway",
           "Sam Okafor", "Lena Kowalski", "Certificate Desk")
_OTHER_LINES = ("Professional Liability", "Inland Marine", "Pollution Liability", "Cyber Liability",
                "Contractors Equipment", "Installation Floater")
_DESCRIPTIONS = (
    "Certificate holder is included as additional insured with respect to general liability "
    "where required by written contract.",
    "Re: project at {street}. Waiver of subrogation applies in favor of the certificate holder.",
    "Evidence of coverage for ongoing operations of the named insured.",
)


def _address(rng: random.Random, suite: bool = False) -> str:
    city, state, zip3 = rng.choice(_CITIES)
    street = f"{rng.randint(10, 9899)} {rng.choice(_STREETS)}"
    parts = [street]
    if suite:
        parts.append(f"Suite {rng.randint(100, 990)}")
    parts += [city, f"{state} {zip3}{rng.randint(10, 99)}"]
    return ", ".join(parts)


def _company(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_TRADE)} {rng.choice(_FORMS)}"


def _policy_number(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.randint(1000000, 99999999)}"


def _flag(rng: random.Random) -> bool | None:
    return rng.choice((True, False, None, None))


def random_certificate(rng: random.Random) -> dict[str, Any]:
    """Realistic random truth data in the contract shape (fictitious names)."""
    issued = date(2023, 1, 1) + timedelta(days=rng.randint(0, 1000))
    letters = list("ABCDEF")
    n_insurers = rng.randint(1, 4)
    used = sorted(rng.sample(letters, n_insurers))
    insurers = [
        {"letter": letter, "name": f"{rng.choice(_CARRIER_A)} {rng.choice(_CARRIER_B)}",
         "naic": f"{rng.randint(10000, 43999)}"}
        for letter in used
    ]
    policies: list[dict[str, Any]] = []

    def base(line: str, prefix: str, basis: str | None = None) -> dict[str, Any]:
        eff = issued - timedelta(days=rng.randint(1, 200))
        exp = eff.replace(year=eff.year + 1) if not (eff.month == 2 and eff.day == 29) else eff + timedelta(days=365)
        return {
            "line": line,
            "description": None,
            "insurer_letter": rng.choice(used),
            "policy_number": _policy_number(rng, prefix),
            "effective": eff.isoformat(),
            "expiration": exp.isoformat(),
            "additional_insured": _flag(rng),
            "subrogation_waived": _flag(rng),
            "basis": basis,
        }

    if rng.random() < 0.9:
        gl = base("general_liability", rng.choice(("CGL", "GL-", "BOP")), rng.choice(("occurrence", "claims_made")))
        occ = rng.choice((1_000_000, 1_000_000, 2_000_000, 500_000))
        gl["aggregate_applies_per"] = rng.choice(("policy", "project", "location", None))
        gl["limits"] = {
            "each_occurrence": occ,
            "damage_to_rented_premises": rng.choice((50_000, 100_000, 300_000, None)),
            "medical_expense": rng.choice((5_000, 10_000, None)),
            "personal_advertising_injury": occ,
            "general_aggregate": occ * 2,
            "products_completed_operations_aggregate": rng.choice((occ * 2, None)),
        }
        policies.append(gl)
    if rng.random() < 0.6:
        auto = base("automobile_liability", rng.choice(("BA", "CA-", "AUTO")))
        autos = [k for k in ("any", "owned", "scheduled", "hired", "non_owned") if rng.random() < 0.4]
        auto["covered_autos"] = autos or ["any"]
        csl = rng.random() < 0.7
        auto["limits"] = {
            "combined_single_limit": rng.choice((1_000_000, 500_000)) if csl else None,
            "bodily_injury_per_person": None if csl else 500_000,
            "bodily_injury_per_accident": None if csl else 1_000_000,
            "property_damage": None if csl else 250_000,
        }
        policies.append(auto)
    if rng.random() < 0.45:
        line = rng.choice(("umbrella_liability", "excess_liability"))
        umb = base(line, "UMB" if line == "umbrella_liability" else "XS", rng.choice(("occurrence", "claims_made")))
        amount = rng.choice((1_000_000, 2_000_000, 5_000_000))
        umb["limits"] = {"each_occurrence": amount, "aggregate": amount,
                         "retention": rng.choice((10_000, None))}
        policies.append(umb)
    if rng.random() < 0.7:
        wc = base("workers_compensation", rng.choice(("WC", "WCV", "WC-")))
        wc["additional_insured"] = None  # the form prints N/A there
        wc["statutory"] = rng.random() < 0.9
        wc["any_member_excluded"] = rng.choice((True, False, None))
        el = rng.choice((500_000, 1_000_000))
        wc["limits"] = {"el_each_accident": el, "el_disease_each_employee": el, "el_disease_policy_limit": el}
        policies.append(wc)
    if rng.random() < 0.25 or not policies:
        other = base("other", rng.choice(("PL", "IM", "ENV")))
        other["description"] = rng.choice(_OTHER_LINES)
        other["limits"] = {"limit": rng.choice((250_000, 1_000_000, 2_000_000, None))}
        policies.append(other)

    street = _address(rng).split(",")[0]
    description = rng.choice((*_DESCRIPTIONS, None)) if rng.random() < 0.7 else None
    if description:
        description = description.format(street=street)
    city_phone = f"{rng.randint(201, 989)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
    return {
        "form": {"type": "ACORD 25", "edition": "2016/03"},
        "date": issued.isoformat(),
        "certificate_number": rng.choice((None, f"{rng.randint(1000, 99999)}")),
        "revision_number": rng.choice((None, str(rng.randint(1, 9)))),
        "producer": {
            "name": f"{rng.choice(_FIRST)} {rng.choice(_AGENCY)}",
            "address": _address(rng, suite=rng.random() < 0.3),
            "contact_name": rng.choice((*_PEOPLE, None)),
            "phone": city_phone,
            "fax": rng.choice((None, f"{rng.randint(201, 989)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}")),
            "email": rng.choice(("certs", "service", "coi")) + "@" + rng.choice(_FIRST).lower() + "-agency.com",
        },
        "insured": {"name": _company(rng), "address": _address(rng, suite=rng.random() < 0.2)},
        "insurers": insurers,
        "policies": policies,
        "description_of_operations": description,
        "certificate_holder": {"name": _company(rng), "address": _address(rng, suite=rng.random() < 0.3)},
        "signed": rng.random() < 0.8,
    }


def demo_certificate() -> dict[str, Any]:
    """One fixed, fictitious certificate for the project's demo."""
    return {
        "form": {"type": "ACORD 25", "edition": "2016/03"},
        "date": "2025-03-14",
        "certificate_number": "DEMO-0001",
        "revision_number": None,
        "producer": {
            "name": "Lanternfish Insurance Agency",
            "address": "400 Example Way, Suite 210, Springfield, IL 62701",
            "contact_name": "Certificate Desk",
            "phone": "217-555-0142",
            "fax": None,
            "email": "certs@lanternfish-agency.example",
        },
        "insured": {"name": "Blue Heron Roofing LLC", "address": "88 Sample Road, Franklin, TN 37064"},
        "insurers": [
            {"letter": "A", "name": "Pioneer Mutual Insurance Co", "naic": "12345"},
            {"letter": "B", "name": "Keystone Casualty Company", "naic": "23456"},
        ],
        "policies": [
            {
                "line": "general_liability", "description": None, "insurer_letter": "A",
                "policy_number": "CGL1234567", "effective": "2025-01-01", "expiration": "2026-01-01",
                "additional_insured": True, "subrogation_waived": True, "basis": "occurrence",
                "aggregate_applies_per": "project",
                "limits": {
                    "each_occurrence": 1_000_000, "damage_to_rented_premises": 100_000,
                    "medical_expense": 5_000, "personal_advertising_injury": 1_000_000,
                    "general_aggregate": 2_000_000, "products_completed_operations_aggregate": 2_000_000,
                },
            },
            {
                "line": "automobile_liability", "description": None, "insurer_letter": "A",
                "policy_number": "BA7654321", "effective": "2025-01-01", "expiration": "2026-01-01",
                "additional_insured": True, "subrogation_waived": None, "basis": None,
                "covered_autos": ["any"],
                "limits": {"combined_single_limit": 1_000_000, "bodily_injury_per_person": None,
                           "bodily_injury_per_accident": None, "property_damage": None},
            },
            {
                "line": "workers_compensation", "description": None, "insurer_letter": "B",
                "policy_number": "WC5550001", "effective": "2025-02-01", "expiration": "2026-02-01",
                "additional_insured": None, "subrogation_waived": True, "basis": None,
                "statutory": True, "any_member_excluded": False,
                "limits": {"el_each_accident": 1_000_000, "el_disease_each_employee": 1_000_000,
                           "el_disease_policy_limit": 1_000_000},
            },
        ],
        "description_of_operations": "Re: Riverside Depot reroof. Certificate holder is additional insured "
        "on general and auto liability where required by written contract.",
        "certificate_holder": {"name": "Riverside Depot Partners LP",
                               "address": "1 Harbor Plaza, Springfield, IL 62702"},
        "signed": True,
    }


# ---------------------------------------------------------------- drawing
class _Pen:
    """Draws in top-left coordinates (y down), as the rest of the pipeline reads."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas

    def text(self, x: float, baseline: float, s: str, size: float = 6, font: str = LABEL_FONT) -> None:
        self.c.setFont(font, size)
        self.c.drawString(x, PAGE_H - baseline, s)

    def value(self, x: float, baseline: float, s: str | None, size: float = VALUE_SIZE) -> None:
        if s:
            self.text(x, baseline, s, size, VALUE_FONT)

    def right(self, x1: float, baseline: float, s: str, size: float = VALUE_SIZE) -> None:
        self.text(x1 - stringWidth(s, VALUE_FONT, size), baseline, s, size, VALUE_FONT)

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.6) -> None:
        self.c.setLineWidth(width)
        self.c.rect(x0, PAGE_H - y1, x1 - x0, y1 - y0)

    def hline(self, x0: float, x1: float, y: float, width: float = 0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x0, PAGE_H - y, x1, PAGE_H - y)

    def vline(self, x: float, y0: float, y1: float, width: float = 0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x, PAGE_H - y0, x, PAGE_H - y1)

    def checkbox(self, label_x: float, cy: float, checked: bool) -> None:
        """A box just left of its label; a checked one holds an X of two strokes."""
        x0, x1 = label_x - 15, label_x - 3.5
        y0, y1 = cy - 5.5, cy + 5.5
        self.rect(x0, y0, x1, y1, 0.5)
        if checked:
            p = self.c.beginPath()
            p.moveTo(x0 + 2, PAGE_H - (y0 + 2))
            p.lineTo(x1 - 2, PAGE_H - (y1 - 2))
            p.moveTo(x0 + 2, PAGE_H - (y1 - 2))
            p.lineTo(x1 - 2, PAGE_H - (y0 + 2))
            self.c.setLineWidth(0.9)
            self.c.drawPath(p, stroke=1, fill=0)

    def squiggle(self, x: float, y: float) -> None:
        """A drawn signature: a few connected curves."""
        p = self.c.beginPath()
        p.moveTo(x, PAGE_H - (y + 12))
        for i in range(5):
            bx = x + 14 * i
            p.curveTo(bx + 4, PAGE_H - (y - 2), bx + 9, PAGE_H - (y + 20), bx + 14, PAGE_H - (y + 8))
        self.c.setLineWidth(1.0)
        self.c.drawPath(p, stroke=1, fill=0)


def _money(value: int | None) -> str | None:
    return None if value is None else f"{value:,}"


def _us_date(iso: str | None) -> str | None:
    if not iso:
        return None
    y, m, d = iso.split("-")
    return f"{m}/{d}/{y}"


def _yn(flag: bool | None) -> str | None:
    return None if flag is None else ("Y" if flag else "N")


def _split_address(address: str | None) -> tuple[list[str], str, str]:
    """'street, [line2, ]city, ST ZIP' -> ([street, line2], city, 'ST ZIP')."""
    if not address:
        return [], "", ""
    parts = [p.strip() for p in address.split(",")]
    if len(parts) >= 3:
        return parts[:-2], parts[-2], parts[-1]
    return parts, "", ""


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if stringWidth(trial, VALUE_FONT, size) > width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def draw_certificate(cert: dict[str, Any], *, stamp: str | None = None) -> bytes:
    """A born-digital one-page PDF of ``cert`` in the ACORD 25 (2016/03) layout; ``stamp`` (e.g.
    "SAMPLE") is printed in red in the margins above and below the form."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.setTitle("Certificate of Liability Insurance (sample)")
    pen = _Pen(canvas)
    _draw_frame(pen)
    _draw_header(pen, cert)
    _draw_policies(pen, cert.get("policies") or [])
    _draw_footer(pen, cert)
    if stamp:
        _draw_stamp(canvas, stamp)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_stamp(canvas: Canvas, stamp: str) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(0.85, 0.0, 0.0)
    canvas.setFont(BOLD, 9)
    for y in (12, PAGE_H - 6):  # the margins outside the form's frame
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - y, stamp)
    canvas.restoreState()


# limit label column: (baseline of first line, lines)
_GL_LIMIT_LABELS = ((310, ("EACH OCCURRENCE",)), (316.5, ("DAMAGE TO RENTED", "PREMISES (Ea occurrence)")),
                    (334, ("MED EXP (Any one person)",)), (346, ("PERSONAL & ADV INJURY",)),
                    (358, ("GENERAL AGGREGATE",)), (370, ("PRODUCTS - COMP/OP AGG",)), (382, ()))
_AUTO_LIMIT_LABELS = ((389, ("COMBINED SINGLE LIMIT", "(Ea accident)")), (403.5, ("BODILY INJURY (Per person)",)),
                      (415.5, ("BODILY INJURY (Per accident)",)), (425, ("PROPERTY DAMAGE", "(Per accident)")),
                      (439.5, ()))
_UMB_LIMIT_LABELS = ((453.5, ("EACH OCCURRENCE",)), (465.5, ("AGGREGATE",)), (477.5, ()))
_WC_LIMIT_LABELS = ((501.5, ("E.L. EACH ACCIDENT",)), (513.5, ("E.L. DISEASE - EA EMPLOYEE",)),
                    (525.5, ("E.L. DISEASE - POLICY LIMIT",)))


def _draw_frame(pen: _Pen) -> None:
    pen.text(22, 40, "ACORD", 18, "Helvetica-BoldOblique")
    pen.text(163, 41, "CERTIFICATE OF LIABILITY INSURANCE", 16, BOLD)
    pen.rect(518, 22, 590, 48)
    pen.text(522, 31.5, "DATE (MM/DD/YYYY)", 5.5, BOLD)
    pen.rect(20, 48, 590, 120)
    for i, line in enumerate(DISCLAIMER):
        pen.text(29, 57 + 9.6 * i, line, 7.4, BOLD)
    for i, line in enumerate(IMPORTANT):
        pen.text(29, 97.5 + 9.6 * i, line, 7.4, BOLD)
    pen.hline(20, 590, 88.5)
    # producer / insurers
    pen.rect(20, 120, 590, 240)
    pen.vline(306, 120, 240)
    pen.hline(20, 306, 180)
    pen.text(22, 127.5, "PRODUCER", 5.5, BOLD)
    pen.text(310, 124.5, "CONTACT", 5.5, BOLD)
    pen.text(310, 130, "NAME:", 5.5, BOLD)
    pen.text(310, 137, "PHONE", 5.5, BOLD)
    pen.text(309.8, 142.5, "(A/C, No, Ext):", 5.5, BOLD)
    pen.text(486.4, 136.5, "FAX", 5.5, BOLD)
    pen.text(486.2, 142, "(A/C, No):", 5.5, BOLD)
    pen.text(310, 148.5, "E-MAIL", 5.5, BOLD)
    pen.text(309.7, 154, "ADDRESS:", 5.5, BOLD)
    pen.hline(306, 590, 158)
    pen.text(369.5, 165.5, "INSURER(S) AFFORDING COVERAGE", 5.5, BOLD)
    pen.text(557.7, 165.5, "NAIC #", 5.5, BOLD)
    pen.vline(552, 158, 240)
    for i, insurer in enumerate("ABCDEF"):
        pen.hline(306, 590, 168 + 12 * i)
        pen.text(310, 178 + 12 * i, f"INSURER {insurer} :", 5.5, BOLD)
    pen.text(22, 187.5, "INSURED", 5.5, BOLD)
    # coverages
    pen.text(22, 250, "COVERAGES", 8, BOLD)
    pen.text(158.8, 250, "CERTIFICATE NUMBER:", 8, BOLD)
    pen.text(425.4, 250, "REVISION NUMBER:", 8, BOLD)
    pen.rect(20, 252, 590, 288)
    for i, line in enumerate(CERTIFY):
        pen.text(29, 259.5 + 8.3 * i, line, 6.7)
    pen.rect(18, 288, 590, 562)
    pen.text(20.4, 293, "INSR", 5.5, BOLD)
    pen.text(21.8, 298.5, "LTR", 5.5, BOLD)
    pen.text(75.4, 297, "TYPE OF INSURANCE", 5.5, BOLD)
    pen.text(177.5, 292.5, "ADDL", 5.5, BOLD)
    pen.text(178.8, 299, "INSD", 5.5, BOLD)
    pen.text(195.4, 292.5, "SUBR", 5.5, BOLD)
    pen.text(196.7, 299, "WVD", 5.5, BOLD)
    pen.text(247.7, 298, "POLICY NUMBER", 5.5, BOLD)
    pen.text(337.7, 293, "POLICY EFF", 5.5, BOLD)
    pen.text(334.2, 299, "(MM/DD/YYYY)", 5.5, BOLD)
    pen.text(384.1, 293, "POLICY EXP", 5.5, BOLD)
    pen.text(381, 299, "(MM/DD/YYYY)", 5.5, BOLD)
    pen.text(500.2, 297, "LIMITS", 5.5, BOLD)
    for x in (36, 176, 194, 212, 330, 377, 424, 516):
        pen.vline(x, 288, 562)
    pen.hline(18, 590, 300.5)
    for y in (384, 444, 480, 530):
        pen.hline(18, 590, y)
    for baseline, lines in (*_GL_LIMIT_LABELS, *_AUTO_LIMIT_LABELS, *_UMB_LIMIT_LABELS, *_WC_LIMIT_LABELS):
        for i, line in enumerate(lines):
            pen.text(428.9, baseline + 6 * i, line, 5.5)
        pen.text(518.6, baseline + (2 if len(lines) == 2 else 0), "$", 5.5)
    # row labels
    pen.text(54.3, 308, "COMMERCIAL GENERAL LIABILITY", 5.5, BOLD)
    pen.text(68.7, 322, "CLAIMS-MADE", 5.5)
    pen.text(133.4, 322, "OCCUR", 5.5)
    pen.text(39.9, 358, "GEN'L AGGREGATE LIMIT APPLIES PER:", 5.5)
    pen.text(54.5, 370, "POLICY", 5.5)
    pen.text(97.7, 366, "PRO-", 5.5)
    pen.text(97.3, 371.5, "JECT", 5.5)
    pen.text(140.9, 370, "LOC", 5.5)
    pen.text(54.2, 382, "OTHER:", 5.5)
    pen.text(39.7, 391.5, "AUTOMOBILE LIABILITY", 5.5, BOLD)
    pen.text(54.1, 403.5, "ANY AUTO", 5.5)
    pen.text(54.2, 413, "OWNED", 5.5)
    pen.text(54.1, 419, "AUTOS ONLY", 5.5)
    pen.text(122.7, 413, "SCHEDULED", 5.5)
    pen.text(122.5, 419, "AUTOS", 5.5)
    pen.text(54.5, 425, "HIRED", 5.5)
    pen.text(54.1, 431, "AUTOS ONLY", 5.5)
    pen.text(122.9, 425, "NON-OWNED", 5.5)
    pen.text(122.5, 431, "AUTOS ONLY", 5.5)
    pen.text(54.4, 451.5, "UMBRELLA LIAB", 5.5, BOLD)
    pen.text(133.4, 454, "OCCUR", 5.5)
    pen.text(54.5, 463.5, "EXCESS LIAB", 5.5, BOLD)
    pen.text(133.5, 465.5, "CLAIMS-MADE", 5.5)
    pen.text(54.5, 478, "DED", 5.5)
    pen.text(90.5, 478, "RETENTION $", 5.5)
    pen.text(37.9, 486, "WORKERS COMPENSATION", 5.5, BOLD)
    pen.text(37.9, 493, "AND EMPLOYERS' LIABILITY", 5.5, BOLD)
    pen.text(159, 496, "Y / N", 5.5, BOLD)
    pen.text(37.9, 501, "ANY PROPRIETOR/PARTNER/EXECUTIVE", 5)
    pen.text(38, 507, "OFFICER/MEMBER EXCLUDED?", 5)
    pen.text(38, 513, "(Mandatory in NH)", 5, BOLD)
    pen.text(38.4, 519.5, "If yes, describe under", 5)
    pen.text(38.3, 525.5, "DESCRIPTION OF OPERATIONS below", 5)
    pen.rect(158, 498, 173, 511, 0.5)
    pen.text(179, 505.5, "N / A", 5.5, BOLD)
    pen.text(443.3, 485, "PER", 5.5)
    pen.text(443.1, 490.5, "STATUTE", 5.5)
    pen.text(493.3, 485, "OTH-", 5.5)
    pen.text(493.7, 490.5, "ER", 5.5)
    # description, holder, cancellation
    pen.rect(18, 562, 590, 640)
    pen.text(22.1, 571.5, "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES (ACORD 101, Additional Remarks "
             "Schedule, may be attached if more space is required)", 5.5, BOLD)
    pen.text(22, 658, "CERTIFICATE HOLDER", 8, BOLD)
    pen.text(310, 658, "CANCELLATION", 8, BOLD)
    pen.rect(20, 661, 590, 745)
    pen.vline(306, 661, 745)
    for i, line in enumerate(CANCELLATION):
        pen.text(317, 677.5 + 8.3 * i, line, 7, BOLD)
    pen.hline(306, 590, 705)
    pen.text(309.7, 715.5, "AUTHORIZED REPRESENTATIVE", 5.5, BOLD)
    pen.text(361.1, 752.5, "\u00a9 1988-2015 ACORD CORPORATION. All rights reserved.", 8, BOLD)
    pen.text(21.8, 764.5, "ACORD 25 (2016/03)", 8, BOLD)
    pen.text(187.3, 764.5, "The ACORD name and logo are registered marks of ACORD", 8, BOLD)


def _draw_party(pen: _Pen, x: float, first_baseline: float, city_baseline: float,
                party: dict[str, Any] | None) -> None:
    party = party or {}
    pen.value(x, first_baseline, party.get("name"))
    lines, city, state_zip = _split_address(party.get("address"))
    for i, line in enumerate(lines[:2]):
        pen.value(x, first_baseline + 12 * (i + 1), line)
    pen.value(x, city_baseline, city)
    pen.value(241.8, city_baseline, state_zip)


def _draw_header(pen: _Pen, cert: dict[str, Any]) -> None:
    pen.value(531.3, 44.5, _us_date(cert.get("date")))
    producer = cert.get("producer") or {}
    _draw_party(pen, 23.1, 141, 177, producer)
    pen.value(347.4, 129, producer.get("contact_name"))
    pen.value(354.3, 141, producer.get("phone"))
    pen.value(519.3, 141, producer.get("fax"))
    pen.value(347.3, 153, producer.get("email"))
    for insurer in cert.get("insurers") or []:
        row = "ABCDEF".index(insurer["letter"])
        pen.value(350.6, 177 + 12 * row, insurer.get("name"))
        if insurer.get("naic"):
            pen.right(578, 177 + 12 * row, insurer["naic"])
    _draw_party(pen, 73.4, 201, 237, cert.get("insured"))
    pen.value(262, 250, cert.get("certificate_number"))
    pen.value(510, 250, cert.get("revision_number"))


_BOXES = {
    "general_liability": {"basis": {"claims_made": (68.7, 320), "occurrence": (133.4, 320)},
                          "aggregate_applies_per": {"policy": (54.5, 368), "project": (97.7, 368),
                                                    "location": (140.9, 368), "other": (54.2, 380)}},
    "umbrella_liability": {"basis": {"occurrence": (133.4, 452), "claims_made": (133.5, 463.5)}},
}
_AUTO_BOXES = {"any": (54.1, 401.5), "owned": (54.2, 414), "scheduled": (122.7, 414),
               "hired": (54.5, 426), "non_owned": (122.9, 426)}
_ROWS = {  # line -> (baseline of the row's values, limit labels)
    "general_liability": (345, _GL_LIMIT_LABELS),
    "automobile_liability": (417, _AUTO_LIMIT_LABELS),
    "umbrella_liability": (465, _UMB_LIMIT_LABELS),
    "excess_liability": (465, _UMB_LIMIT_LABELS),
    "workers_compensation": (507, _WC_LIMIT_LABELS),
}
_LIMIT_KEYS = {
    "general_liability": ("each_occurrence", "damage_to_rented_premises", "medical_expense",
                          "personal_advertising_injury", "general_aggregate",
                          "products_completed_operations_aggregate"),
    "automobile_liability": ("combined_single_limit", "bodily_injury_per_person",
                             "bodily_injury_per_accident", "property_damage"),
    "umbrella_liability": ("each_occurrence", "aggregate"),
    "excess_liability": ("each_occurrence", "aggregate"),
    "workers_compensation": ("el_each_accident", "el_disease_each_employee", "el_disease_policy_limit"),
}


def _draw_policies(pen: _Pen, policies: list[dict[str, Any]]) -> None:
    by_line = {p["line"]: p for p in policies if p["line"] != "other"}
    umbrella = by_line.get("umbrella_liability") or by_line.get("excess_liability")
    gl, auto, wc = (by_line.get(k) for k in ("general_liability", "automobile_liability", "workers_compensation"))
    # every box of the form, checked where the data says so
    pen.checkbox(54.3, 306, gl is not None)
    for key, spots in _BOXES["general_liability"].items():
        for value, (x, cy) in spots.items():
            pen.checkbox(x, cy, gl is not None and gl.get(key) == value)
    for key, (x, cy) in _AUTO_BOXES.items():
        pen.checkbox(x, cy, auto is not None and key in (auto.get("covered_autos") or []))
    pen.checkbox(54.4, 449.5, umbrella is not None and umbrella["line"] == "umbrella_liability")
    pen.checkbox(54.5, 461.5, umbrella is not None and umbrella["line"] == "excess_liability")
    for value, (x, cy) in _BOXES["umbrella_liability"]["basis"].items():
        pen.checkbox(x, cy, umbrella is not None and umbrella.get("basis") == value)
    pen.checkbox(54.5, 476, False)
    pen.checkbox(90.5, 476, umbrella is not None and umbrella["limits"].get("retention") is not None)
    pen.checkbox(443.3, 486, wc is not None and bool(wc.get("statutory")))
    pen.checkbox(493.3, 486, False)
    for policy in (gl, auto, umbrella, wc):
        if policy is not None:
            _draw_row(pen, policy)
    others = [p for p in policies if p["line"] == "other"]
    for i, other in enumerate(others[:2]):
        _draw_row(pen, other, baseline=541 + 13 * i)
    if umbrella is not None and umbrella["limits"].get("retention") is not None:
        pen.value(131, 478, _money(umbrella["limits"]["retention"]), 8)
    if wc is not None:
        pen.value(162.9, 507.5, _yn(wc.get("any_member_excluded")))


def _draw_row(pen: _Pen, policy: dict[str, Any], baseline: float | None = None) -> None:
    line = policy["line"]
    if baseline is None:
        baseline = _ROWS[line][0]
    pen.value(24.4, baseline, policy.get("insurer_letter"))
    if line != "workers_compensation":
        pen.value(182, baseline, _yn(policy.get("additional_insured")))
    pen.value(199.5, baseline, _yn(policy.get("subrogation_waived")))
    pen.value(217.1, baseline, policy.get("policy_number"), 8.5)
    pen.value(334.8, baseline, _us_date(policy.get("effective")), 8.5)
    pen.value(381.8, baseline, _us_date(policy.get("expiration")), 8.5)
    if line == "other":
        pen.value(43, baseline, policy.get("description"), 8)
        pen.value(527.8, baseline, _money((policy.get("limits") or {}).get("limit")))
        return
    labels = _ROWS[line][1]
    for key, (label_baseline, lines) in zip(_LIMIT_KEYS[line], labels):
        amount = _money((policy.get("limits") or {}).get(key))
        pen.value(527.8, label_baseline + (2.5 if len(lines) == 2 else 0), amount)


def _draw_footer(pen: _Pen, cert: dict[str, Any]) -> None:
    description = cert.get("description_of_operations")
    if description:
        for i, line in enumerate(_wrap(description, 540, 8.5)[:5]):
            pen.value(24, 585 + 10.5 * i, line, 8.5)
    _draw_party(pen, 73.6, 699, 735, cert.get("certificate_holder"))
    if cert.get("signed"):
        pen.squiggle(322, 722)


# ---------------------------------------------------------------- pages around a certificate
def draw_cover_letter(cert: dict[str, Any]) -> bytes:
    """A one-page cover letter from the producer, as agencies send before the certificate."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    pen = _Pen(canvas)
    producer = (cert.get("producer") or {}).get("name") or "Your Insurance Agency"
    holder = (cert.get("certificate_holder") or {}).get("name") or "Certificate Holder"
    insured = (cert.get("insured") or {}).get("name") or "our client"
    pen.text(72, 90, producer, 14, BOLD)
    body = (
        f"Dear {holder},",
        "",
        f"Please find attached the certificate of insurance you requested for {insured}.",
        "The certificate is provided as a matter of information only. If you need a copy of any",
        "endorsement or have questions about the coverage shown, please contact our office and",
        "we will be glad to help. Thank you for your business.",
        "",
        "Sincerely,",
        "Certificate Services",
    )
    for i, line in enumerate(body):
        pen.value(72, 150 + 16 * i, line, 11)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_remarks_schedule(cert: dict[str, Any], remarks: str) -> bytes:
    """A page in the manner of the ACORD 101 Additional Remarks Schedule (our own drawing) whose
    remarks continue the certificate's description of operations."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    pen = _Pen(canvas)
    pen.text(22, 40, "ACORD", 18, "Helvetica-BoldOblique")
    pen.text(220, 40, "ADDITIONAL REMARKS SCHEDULE", 14, BOLD)
    pen.text(520, 40, "Page 1 of 1", 7)
    pen.rect(20, 50, 592, 150)
    pen.vline(306, 50, 150)
    pen.hline(20, 592, 100)
    pen.text(24, 58, "AGENCY")
    pen.value(24, 72, (cert.get("producer") or {}).get("name"))
    pen.text(310, 58, "NAMED INSURED")
    pen.value(310, 72, (cert.get("insured") or {}).get("name"))
    pen.text(24, 108, "POLICY NUMBER")
    pen.text(24, 128, "CARRIER")
    pen.text(220, 128, "NAIC CODE")
    pen.text(310, 128, "EFFECTIVE DATE:")
    pen.text(24, 166, "ADDITIONAL REMARKS", 8, BOLD)
    pen.text(24, 178, "THIS ADDITIONAL REMARKS FORM IS A SCHEDULE TO ACORD FORM,", 6)
    pen.text(24, 188, "FORM NUMBER: 25    FORM TITLE: CERTIFICATE OF LIABILITY INSURANCE", 6)
    pen.rect(20, 156, 592, 740)
    for i, line in enumerate(_wrap(remarks, 540, VALUE_SIZE)[:45]):
        pen.value(24, 210 + 12 * i, line)
    pen.text(20, 760, "ACORD 101 (2008/01)", 8, BOLD)
    pen.text(200, 760, "\u00a9 2008 ACORD CORPORATION. All rights reserved.", 7)
    pen.text(200, 770, "The ACORD name and logo are registered marks of ACORD", 6)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def join_pdfs(*pdfs: bytes) -> bytes:
    """One PDF of the pages of ``pdfs``, in order."""
    import pypdfium2 as pdfium

    joined = pdfium.PdfDocument.new()
    try:
        for data in pdfs:
            part = pdfium.PdfDocument(data)
            try:
                joined.import_pages(part)
            finally:
                part.close()
        buffer = io.BytesIO()
        joined.save(buffer)
        return buffer.getvalue()
    finally:
        joined.close()
