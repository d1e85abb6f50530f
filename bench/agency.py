"""Random certificates laid out the way agency systems fill the official ACORD 25: truth and ink.

    style = random_style(rng)
    truth, inks = agency_certificate(rng, geometry, style)

``truth`` is the contract's shape (``schemas/certificate.schema.json``), built from the very values
that are drawn; ``inks`` says what to print where: each :class:`Ink` names the form field it fills
(its rectangle comes from the form's own ``/Rect``, see :mod:`bench.formfill`), the lines, font, size
and alignment. No coordinate is written here: every place is a field's rectangle, a union of
rectangles, or a rectangle moved by a share of its own height.

What varies (each from ``rng``): fonts and sizes, alignment per kind of value, date and amount
formats, party blocks in their fields or as one free block of 1-3 name lines and 1-3 address lines,
licence / customer-id lines inside a block (not part of the truth's address), values stacked in one
cell (two 'other' policies in the one other row), free text on the GL / auto blank lines (the
policy's ``description``), fillers (XXXXXXX, N/A, Excluded) in cells whose value is null, values that
overflow their box, stale text hidden under a white box, and a description long enough to need a
continuation page.

A value the blank has no place for (an older edition: no contact lines, no SUBR WVD column, five
insurers) is not drawn, and the truth says ``null`` for it (or leaves the insurer out): the truth is what
the page shows. A blank with no umbrella/excess boxes cannot tell the two: its row is an umbrella row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from samples.certificates import random_certificate

Rect = tuple[float, float, float, float]  # PDF points, origin bottom-left: x0, y0, x1, y1

FONTS = ("Helvetica", "Helvetica", "Times-Roman", "Courier", "Helvetica-Bold", "Vera")
FILLERS = ("XXXXXXX", "N/A", "Excluded", "XXXXXXXX")
LICENCE_LINES = ("License # {n}", "CA License #0{a}{n}", "Lic# {n}", "NPN: {n}")
ID_LINES = ("Customer ID: {n}", "Acct # {n}", "Client: {n}")
SECOND_NAMES = ("DBA {trade} Services", "and {first} Holdings LLC", "{first} Properties, Inc.",
                "c/o {first} Management Group")
GL_FREE_TEXT = ("$50K SIR", "Deductible: $0", "Contractual Liab", "$10M Policy Agg.", "Stop Gap",
                "Incl Contractual", "Per Project Agg")
AUTO_FREE_TEXT = ("Hired/Non-Owned", "Comp/Coll Ded $1,000", "Symbol 1")
CONTINUATION = ("Additional insured status applies where required by written contract and only for "
                "ongoing and completed operations of the named insured. Coverage is primary and "
                "non-contributory where required by written contract. Thirty days notice of "
                "cancellation will be given to the certificate holder except ten days for non-payment "
                "of premium. Umbrella follows form over general liability, automobile liability and "
                "employers liability.")

_NAMES = ("Asset", "Harbor", "Summit", "Granite", "Maple", "Cedar", "Northgate", "Prairie", "Redstone", "Alpha")
_KINDS = ("Holdings, LLC", "Properties LLC", "Management, Inc.", "Services II, LLC", "Realty Partners LP")


@dataclass(frozen=True)
class Style:
    """How one agency system fills the form."""

    font: str = "Helvetica"
    size: float = 8.0
    amount_align: str = "right"  # left, right, centre
    naic_align: str = "right"
    date_align: str = "left"
    date_format: str = "%m/%d/%Y"
    dollar: bool = False
    commas: bool = True
    cents: bool = False
    block_parties: bool = False  # party blocks as free lines in the block, not field by field
    row_top: bool = False  # policy number and dates on the row's first line, not the form's field line
    shrink: bool = True  # shrink a value that is too wide for its box (Acrobat's auto size)
    fillers: float = 0.0  # share of null cells that get a filler
    stale: float = 0.0  # share of a few fields that hide an old value under a white box
    extra_lines: float = 0.0  # chance of licence / id lines inside party blocks
    free_text: float = 0.0  # chance of text on GL / auto blank lines
    stacked: float = 0.0  # chance of two 'other' policies stacked in the other row
    continuation: float = 0.0  # chance of a description continued on a second page


def random_style(rng: random.Random) -> Style:
    return Style(
        font=rng.choice(FONTS),
        size=rng.choice((6.5, 7, 7.5, 8, 8, 9, 10)),
        amount_align=rng.choice(("right", "right", "left", "centre")),
        naic_align=rng.choice(("right", "left", "centre")),
        date_align=rng.choice(("left", "centre")),
        date_format=rng.choice(("%m/%d/%Y", "%m/%d/%Y", "{m}/{d}/%Y", "%m/%d/%y")),
        dollar=rng.random() < 0.5,
        commas=rng.random() < 0.8,
        cents=rng.random() < 0.1,
        block_parties=rng.random() < 0.5,
        row_top=rng.random() < 0.2,
        shrink=rng.random() < 0.7,
        fillers=rng.choice((0.0, 0.0, 0.5, 1.0)),
        stale=rng.choice((0.0, 0.0, 0.0, 0.5)),
        extra_lines=rng.choice((0.0, 0.3, 0.6)),
        free_text=rng.choice((0.0, 0.3, 0.6)),
        stacked=rng.choice((0.0, 0.0, 0.3)),
        continuation=rng.choice((0.0, 0.0, 0.25)),
    )


@dataclass(frozen=True)
class Ink:
    """Lines of text (or a check mark) to print in a rectangle; ``field`` is the form field it fills."""

    rect: Rect
    lines: tuple[str, ...]
    font: str = "Helvetica"
    size: float = 8.0
    align: str = "left"
    field: str | None = None
    kind: str = "text"  # text, check, signature
    stale: tuple[str, ...] = ()  # an older value printed first and hidden under a white box
    page: int = 0


@dataclass
class Sheet:
    """What is being laid out: the form's field rectangles, the style, the ink so far."""

    geometry: dict[str, Rect]
    style: Style
    rng: random.Random
    inks: list[Ink] = field(default_factory=list)

    def put(self, name: str, value: str | None, align: str = "left", size: float | None = None) -> None:
        if value is None or name not in self.geometry:
            return
        rect = self.geometry[name]
        stale = ()
        if self.style.stale and self.rng.random() < self.style.stale * 0.15:
            stale = (_stale_of(value, self.rng),)
        self.inks.append(Ink(rect, (value,), self.style.font, size or self._fit(value, rect), align, name,
                             stale=stale))

    def has(self, name: str | None) -> bool:
        return name is not None and name in self.geometry

    def check(self, name: str, on: bool) -> None:
        if on and name in self.geometry:
            self.inks.append(Ink(self.geometry[name], ("X",), self.style.font, self.style.size, "centre",
                                 name, kind="check"))

    def filler(self, name: str, align: str) -> None:
        if self.style.fillers and self.rng.random() < self.style.fillers:
            self.put(name, self.rng.choice(FILLERS), align)

    def block(self, names: list[str], lines: list[str]) -> None:
        """Free lines from the top of the union of ``names``' rectangles, smaller if they do not fit."""
        rects = [self.geometry[n] for n in names if n in self.geometry]
        x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
        x1, y1 = max(r[2] for r in rects), max(r[3] for r in rects)
        size = min(self.style.size, (y1 - y0) / (1.18 * max(len(lines), 1)))
        self.inks.append(Ink((x0, y0, x1, y1), tuple(lines), self.style.font, size, "left", names[0]))

    def _fit(self, value: str, rect: Rect) -> float:
        size = min(self.style.size, (rect[3] - rect[1]) * 0.85)
        if not self.style.shrink:
            return size
        from reportlab.pdfbase.pdfmetrics import stringWidth

        width = stringWidth(value, _metric_font(self.style.font), size)
        return size if width <= rect[2] - rect[0] - 2 else max(4.5, size * (rect[2] - rect[0] - 2) / width)


def _metric_font(font: str) -> str:
    return "Helvetica" if font == "Vera" else font


def _stale_of(value: str, rng: random.Random) -> str:
    digits = "".join(str(rng.randint(0, 9)) if c.isdigit() else c for c in value)
    return digits if digits != value else value[::-1]


# ---------------------------------------------------------------- formats
def money(value: int | None, style: Style) -> str | None:
    if value is None:
        return None
    text = f"{value:,}" if style.commas else str(value)
    return ("$" if style.dollar else "") + text + (".00" if style.cents else "")


def day(iso: str | None, style: Style) -> str | None:
    if not iso:
        return None
    d = date.fromisoformat(iso)
    return d.strftime(style.date_format.replace("{m}", str(d.month)).replace("{d}", str(d.day)))


def yn(flag: bool | None) -> str | None:
    return None if flag is None else ("Y" if flag else "N")


# ---------------------------------------------------------------- the certificate
def agency_certificate(rng: random.Random, geometry: dict[str, Rect], style: Style,
                       edition: str = "2016/03") -> tuple[dict[str, Any], list[Ink]]:
    """Random truth in the contract's shape and the ink that prints it on the form."""
    truth = random_certificate(rng)
    truth["form"]["edition"] = edition
    sheet = Sheet(geometry, style, rng)
    _header(sheet, truth)
    for role, prefix in (("producer", "Producer"), ("insured", "NamedInsured"),
                         ("certificate_holder", "CertificateHolder")):
        _party(sheet, truth, role, prefix)
    _insurers(sheet, truth)
    _policies(sheet, truth)
    _remarks(sheet, truth)
    _signature(sheet, truth)
    return truth, sheet.inks


def _header(sheet: Sheet, truth: dict[str, Any]) -> None:
    s = sheet.style
    for key, name in (("certificate_number", "CertificateOfInsurance_CertificateNumberIdentifier_A"),
                      ("revision_number", "CertificateOfInsurance_RevisionNumberIdentifier_A")):
        if not sheet.has(name):
            truth[key] = None
    for key, name in (("contact_name", "Producer_ContactPerson_FullName_A"),
                      ("phone", "Producer_ContactPerson_PhoneNumber_A"), ("fax", "Producer_FaxNumber_A"),
                      ("email", "Producer_ContactPerson_EmailAddress_A")):
        if not sheet.has(name):
            truth["producer"][key] = None
    sheet.put("Form_CompletionDate_A", day(truth["date"], s), s.date_align)
    sheet.put("CertificateOfInsurance_CertificateNumberIdentifier_A", truth["certificate_number"])
    sheet.put("CertificateOfInsurance_RevisionNumberIdentifier_A", truth["revision_number"])
    producer = truth["producer"]
    sheet.put("Producer_ContactPerson_FullName_A", producer["contact_name"])
    sheet.put("Producer_ContactPerson_PhoneNumber_A", producer["phone"])
    if producer["fax"] is None and s.fillers and sheet.rng.random() < s.fillers:
        sheet.put("Producer_FaxNumber_A", "N/A")
    sheet.put("Producer_FaxNumber_A", producer["fax"])
    sheet.put("Producer_ContactPerson_EmailAddress_A", producer["email"])


def _party(sheet: Sheet, truth: dict[str, Any], role: str, prefix: str) -> None:
    rng, s = sheet.rng, sheet.style
    party = truth[role]
    names = [party["name"]]
    care_of = None  # a c/o line: printed under the name, and in the truth the address's first line (the
    block = s.block_parties  # form's own field for it is MailingAddress_LineOne; ../shared's truth NOTES)
    if rng.random() < 0.3:  # a second (or third) name line
        names.append(rng.choice(SECOND_NAMES).format(trade=party["name"].split()[1], first=party["name"].split()[0]))
        third = rng.random() < 0.3
        if names[-1].startswith("c/o"):
            care_of = names[-1]
        elif third:
            names.append(f"{party['name'].split()[0]} Leasing LLC")
            block = True
    parts = [p.strip() for p in party["address"].split(",")]
    street, city, state_zip = parts[:-2], parts[-2], parts[-1]
    state, _, postal = state_zip.partition(" ")
    extra = []
    if s.extra_lines and rng.random() < s.extra_lines:
        template = rng.choice(LICENCE_LINES if role == "producer" else ID_LINES)
        extra.append(template.format(n=rng.randint(100000, 9999999), a=rng.choice("BCEGH")))
        block = True
    party["name"] = " ".join(n for n in names if n != care_of)
    if care_of is not None:
        party["address"] = f"{care_of}, {party['address']}"
    fields = [f"{prefix}_FullName_A", f"{prefix}_MailingAddress_LineOne_A", f"{prefix}_MailingAddress_LineTwo_A",
              f"{prefix}_MailingAddress_CityName_A", f"{prefix}_MailingAddress_StateOrProvinceCode_A",
              f"{prefix}_MailingAddress_PostalCode_A"]
    if len(names) + len(street) > 3 or not sheet.has(fields[1]):  # (a blank with one field for the block)
        block = True
    if block:
        lines = [*names, *street, f"{city}, {state} {postal}"]
        at = rng.randint(1, len(lines)) if role == "producer" else len(lines)
        sheet.block(fields, lines[:at] + extra + lines[at:] if role == "producer" else lines + extra)
        return
    line_fields = fields[1:3]
    for name, value in zip([fields[0], *line_fields], [*names, *street]):
        sheet.put(name, value)
    sheet.put(fields[3], city)
    sheet.put(fields[4], state)
    sheet.put(fields[5], postal)


def _insurers(sheet: Sheet, truth: dict[str, Any]) -> None:
    truth["insurers"] = [i for i in truth["insurers"] if sheet.has(f"Insurer_FullName_{i['letter']}")]
    for insurer in truth["insurers"]:
        letter = insurer["letter"]
        sheet.put(f"Insurer_FullName_{letter}", insurer["name"])
        sheet.put(f"Insurer_NAICCode_{letter}", insurer["naic"], sheet.style.naic_align)


ROW_FIELDS = {  # line -> (insurer letter, addl insd, subr wvd, policy number, effective, expiration)
    "general_liability": ("GeneralLiability_InsurerLetterCode_A",
                          "CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A",
                          "Policy_GeneralLiability_SubrogationWaivedCode_A",
                          "Policy_GeneralLiability_PolicyNumberIdentifier_A",
                          "Policy_GeneralLiability_EffectiveDate_A", "Policy_GeneralLiability_ExpirationDate_A"),
    "automobile_liability": ("Vehicle_InsurerLetterCode_A",
                             "CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A",
                             "Policy_AutomobileLiability_SubrogationWaivedCode_A",
                             "Policy_AutomobileLiability_PolicyNumberIdentifier_A",
                             "Policy_AutomobileLiability_EffectiveDate_A", "Policy_AutomobileLiability_ExpirationDate_A"),
    "umbrella_liability": ("ExcessUmbrella_InsurerLetterCode_A",
                           "CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A",
                           "Policy_ExcessLiability_SubrogationWaivedCode_A",
                           "Policy_ExcessLiability_PolicyNumberIdentifier_A",
                           "Policy_ExcessLiability_EffectiveDate_A", "Policy_ExcessLiability_ExpirationDate_A"),
    "workers_compensation": ("WorkersCompensationEmployersLiability_InsurerLetterCode_A", None,
                             "Policy_WorkersCompensation_SubrogationWaivedCode_A",
                             "Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A",
                             "Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A",
                             "Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A"),
    "other": ("OtherPolicy_InsurerLetterCode_A", "CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A",
              "OtherPolicy_SubrogationWaivedCode_A", "OtherPolicy_PolicyNumberIdentifier_A",
              "OtherPolicy_PolicyEffectiveDate_A", "OtherPolicy_PolicyExpirationDate_A"),
}
ROW_FIELDS["excess_liability"] = ROW_FIELDS["umbrella_liability"]
LIMIT_FIELDS = {
    "general_liability": {
        "each_occurrence": "GeneralLiability_EachOccurrence_LimitAmount_A",
        "damage_to_rented_premises": "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A",
        "medical_expense": "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A",
        "personal_advertising_injury": "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A",
        "general_aggregate": "GeneralLiability_GeneralAggregate_LimitAmount_A",
        "products_completed_operations_aggregate":
            "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A"},
    "automobile_liability": {
        "combined_single_limit": "Vehicle_CombinedSingleLimit_EachAccidentAmount_A",
        "bodily_injury_per_person": "Vehicle_BodilyInjury_PerPersonLimitAmount_A",
        "bodily_injury_per_accident": "Vehicle_BodilyInjury_PerAccidentLimitAmount_A",
        "property_damage": "Vehicle_PropertyDamage_PerAccidentLimitAmount_A"},
    "umbrella_liability": {"each_occurrence": "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A",
                           "aggregate": "ExcessUmbrella_Umbrella_AggregateAmount_A",
                           "retention": "ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A"},
    "workers_compensation": {
        "el_each_accident": "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A",
        "el_disease_each_employee":
            "WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployeeLimitAmount_A",
        "el_disease_policy_limit":
            "WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicyLimitAmount_A"},
}
LIMIT_FIELDS["excess_liability"] = LIMIT_FIELDS["umbrella_liability"]
CHECKS = {
    ("general_liability", "line"): "GeneralLiability_CoverageIndicator_A",
    ("general_liability", "claims_made"): "GeneralLiability_ClaimsMadeIndicator_A",
    ("general_liability", "occurrence"): "GeneralLiability_OccurrenceIndicator_A",
    ("general_liability", "policy"): "GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A",
    ("general_liability", "project"): "GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A",
    ("general_liability", "location"): "GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A",
    ("general_liability", "other"): "GeneralLiability_GeneralAggregate_LimitAppliesToOtherIndicator_A",
    ("automobile_liability", "any"): "Vehicle_AnyAutoIndicator_A",
    ("automobile_liability", "owned"): "Vehicle_AllOwnedAutosIndicator_A",
    ("automobile_liability", "scheduled"): "Vehicle_ScheduledAutosIndicator_A",
    ("automobile_liability", "hired"): "Vehicle_HiredAutosIndicator_A",
    ("automobile_liability", "non_owned"): "Vehicle_NonOwnedAutosIndicator_A",
    ("umbrella_liability", "line"): "Policy_PolicyType_UmbrellaIndicator_A",
    ("excess_liability", "line"): "Policy_PolicyType_ExcessIndicator_A",
    ("umbrella_liability", "occurrence"): "ExcessUmbrella_OccurrenceIndicator_A",
    ("umbrella_liability", "claims_made"): "ExcessUmbrella_ClaimsMadeIndicator_A",
    ("umbrella_liability", "retention"): "ExcessUmbrella_RetentionIndicator_A",
    ("workers_compensation", "statutory"): "WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A",
}
BLANK_LINES = {"general_liability": ("GeneralLiability_OtherCoverageDescription_A",
                                     "GeneralLiability_OtherCoverageDescription_B"),
               "automobile_liability": ("Vehicle_OtherCoveredAutoDescription_A",
                                        "Vehicle_OtherCoveredAutoDescription_B")}
OTHER_LIMITS = ("OtherPolicy_CoverageLimitAmount_A", "OtherPolicy_CoverageLimitAmount_B",
                "OtherPolicy_CoverageLimitAmount_C")
OTHER_CODES = ("OtherPolicy_CoverageCode_A", "OtherPolicy_CoverageCode_B", "OtherPolicy_CoverageCode_C")


def _policies(sheet: Sheet, truth: dict[str, Any]) -> None:
    rng, s = sheet.rng, sheet.style
    policies = truth["policies"]
    others = [p for p in policies if p["line"] == "other"]
    if others and s.stacked and rng.random() < s.stacked:  # a second 'other' policy stacked in the same row
        second = {**others[0], "description": rng.choice(("Inland Marine", "Crime", "Cyber Liability")),
                  "policy_number": f"{others[0]['policy_number'][:2]}{rng.randint(100000, 999999)}",
                  "limits": {"limit": rng.choice((100_000, 250_000, 500_000))}}
        policies.append(second)
        others.append(second)
    for policy in policies:
        line = policy["line"]
        if line == "other":
            continue
        _row(sheet, policy, ROW_FIELDS[line])
        key = "umbrella_liability" if line == "excess_liability" else line
        if line == "excess_liability" and not sheet.has(CHECKS[(line, "line")]):
            policy["line"] = "umbrella_liability"  # nothing on this blank tells excess from umbrella
        sheet.check(CHECKS.get((line, "line"), ""), True)
        if policy.get("basis") and not sheet.has(CHECKS.get((key, policy["basis"]))):
            policy["basis"] = None
        if policy.get("basis"):
            sheet.check(CHECKS.get((key, policy["basis"]), ""), True)
        if line == "general_liability" and policy.get("aggregate_applies_per") and \
                not sheet.has(CHECKS[(line, policy["aggregate_applies_per"])]):
            policy["aggregate_applies_per"] = None
        if line == "general_liability" and policy.get("aggregate_applies_per"):
            sheet.check(CHECKS[(line, policy["aggregate_applies_per"])], True)
        if policy.get("covered_autos") and not all(sheet.has(CHECKS[(line, a)]) for a in policy["covered_autos"]):
            policy["covered_autos"] = [a for a in policy["covered_autos"] if sheet.has(CHECKS[(line, a)])]
        for auto in policy.get("covered_autos") or ():
            sheet.check(CHECKS[(line, auto)], True)
        if line == "workers_compensation":
            sheet.check(CHECKS[(line, "statutory")], bool(policy.get("statutory")))
            if not sheet.has("WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A"):
                policy["any_member_excluded"] = None
            flag = yn(policy.get("any_member_excluded"))
            sheet.put("WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A",
                      flag or ("N/A" if s.fillers and rng.random() < s.fillers else None), "centre")
        if key == "umbrella_liability" and policy["limits"].get("retention") is not None:
            sheet.check(CHECKS[(key, "retention")], True)
        for name, field_name in LIMIT_FIELDS[line].items():
            if not sheet.has(field_name):
                policy["limits"][name] = None
            value = money(policy["limits"].get(name), s)
            if value is None:
                if name != "retention":
                    sheet.filler(field_name, s.amount_align)
                continue
            sheet.put(field_name, value, s.amount_align)
        if line in BLANK_LINES and s.free_text and rng.random() < s.free_text:
            texts = rng.sample(GL_FREE_TEXT if line == "general_liability" else AUTO_FREE_TEXT,
                               rng.choice((1, 1, 2)))
            texts = [text for field_name, text in zip(BLANK_LINES[line], texts) if sheet.has(field_name)]
            for field_name, text in zip(BLANK_LINES[line], texts):
                sheet.put(field_name, text)
            policy["description"] = " ".join(texts) or None
    _other_rows(sheet, others)


def _row(sheet: Sheet, policy: dict[str, Any], names: tuple[str | None, ...]) -> None:
    s = sheet.style
    letter, addl, subr, number, eff, exp = names
    values = (policy.get("insurer_letter"), yn(policy.get("additional_insured")),
              yn(policy.get("subrogation_waived")), policy.get("policy_number"),
              day(policy.get("effective"), s), day(policy.get("expiration"), s))
    aligns = ("centre", "centre", "centre", "left", s.date_align, s.date_align)
    keys = ("insurer_letter", "additional_insured", "subrogation_waived", "policy_number", "effective", "expiration")
    for name, value, align, key in zip(names, values, aligns, keys):
        if name is None:
            continue
        if not sheet.has(name):  # the blank has no such cell
            policy[key] = None
            continue
        if value is None and name in (addl, subr):  # an X filler would read as yes: only N/A here
            if s.fillers and sheet.rng.random() < s.fillers / 2:
                sheet.put(name, "N/A", "centre")
            continue
        sheet.put(name, value, align)
        if s.row_top and name in (number, eff, exp) and sheet.inks and sheet.inks[-1].field == name:
            ink = sheet.inks[-1]
            height = ink.rect[3] - ink.rect[1]
            # up to the row's first line: the top of its highest limit's box (an umbrella row has one
            # line above its field line, not two; lifted further, its values would sit in the auto row)
            first_line = max((sheet.geometry[n][3] for n in LIMIT_FIELDS.get(policy.get("line"), {}).values()
                              if n in sheet.geometry), default=ink.rect[3] + 2 * height)
            lift = max(0.0, min(2 * height, first_line - ink.rect[3]))
            sheet.inks[-1] = replace(ink, rect=(ink.rect[0], ink.rect[1] + lift, ink.rect[2], ink.rect[3] + lift))


def _other_rows(sheet: Sheet, others: list[dict[str, Any]]) -> None:
    if not others:
        return
    s = sheet.style
    names = ROW_FIELDS["other"]
    if len(others) == 1:
        _row(sheet, others[0], names)
        sheet.put("OtherPolicy_OtherPolicyDescription_A", others[0]["description"])
        value = money(others[0]["limits"]["limit"], s)
        if value:
            sheet.put(OTHER_CODES[0], "Limit")
            sheet.put(OTHER_LIMITS[0], value, s.amount_align)
        return
    stacked = [others[:2]]  # every value of the two policies, one above the other in the row's cells
    for name, key in zip(names, ("insurer_letter", "additional_insured", "subrogation_waived", "policy_number",
                                 "effective", "expiration")):
        if not sheet.has(name):
            for p in stacked[0]:
                p[key] = None
        fmt = day if key in ("effective", "expiration") else (lambda v, _s: yn(v)) if key in (
            "additional_insured", "subrogation_waived") else (lambda v, _s: v)
        lines = [fmt(p.get(key), s) or "" for p in stacked[0]]
        if any(lines) and name in sheet.geometry:
            x0, y0, x1, y1 = sheet.geometry[name]
            height = y1 - y0
            sheet.inks.append(Ink((x0, y0 - height, x1, y1), tuple(lines), s.font, min(s.size, height * 0.8),
                                  "left", name))
    descriptions = tuple(p["description"] for p in stacked[0])
    sheet.inks.append(Ink(sheet.geometry["OtherPolicy_OtherPolicyDescription_A"], descriptions, s.font,
                          min(s.size, 9.0), "left", "OtherPolicy_OtherPolicyDescription_A"))
    for code, amount, policy in zip(OTHER_CODES, OTHER_LIMITS, stacked[0]):
        value = money(policy["limits"]["limit"], s)
        if value:
            sheet.put(code, "Limit")
            sheet.put(amount, value, s.amount_align)


def _remarks(sheet: Sheet, truth: dict[str, Any]) -> None:
    s, rng = sheet.style, sheet.rng
    text = truth["description_of_operations"]
    if text is None and s.fillers and rng.random() < 0.2:
        text = truth["description_of_operations"] = "SEE ATTACHED"
    if text and s.continuation and rng.random() < s.continuation:
        named = "; ".join(f"{rng.choice(_NAMES)} {rng.choice(_KINDS)}" for _ in range(rng.randint(6, 14)))
        text = truth["description_of_operations"] = f"{text} {CONTINUATION} Named Insured includes: {named}."
    if text:
        sheet.inks.append(Ink(sheet.geometry["CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"], (text,),
                              s.font, min(s.size, 9.0), "wrap", "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"))


def _signature(sheet: Sheet, truth: dict[str, Any]) -> None:
    name = "Producer_AuthorizedRepresentative_Signature_A"
    if not truth["signed"] or name not in sheet.geometry:
        return
    if sheet.rng.random() < 0.3:  # a typed representative's name counts as a signature
        person = sheet.rng.choice(("John Doe", "Dana Whitfield", "Marco Ruiz", "Erin Holloway"))
        sheet.put(name, person)
    else:
        sheet.inks.append(Ink(sheet.geometry[name], (), kind="signature", field=name))
