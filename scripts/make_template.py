"""Write the ACORD 25 templates the reader registers pages to: one per edition.

    .venv/bin/python scripts/make_template.py [--shared ../shared] [--edition 2016/03 ...] [--out-dir pipeline/acord25/templates]

Run once; the JSON files are committed (the reader needs them at run time, the shared corpus is not
shipped). Every template is in the text layer's space (points, origin top-left, y down) and holds the
source page's printed words, its ruled lines (the page drawn at 300 dpi, found by the OCR stage's
rule finder), its blocks (each with its anchor labels and rules), its coverage rows, and each
field's box, kind and contract key. Sources, all in ``../shared/corpus/real`` (:data:`EDITIONS`):

- **2016/03**: the official AcroForm's field rectangles (``acord25_fields.txt``) and the blank's print.
- **2025/12**: the specimen has no fields: the 2016/03 rectangles are moved onto it by the printed
  labels both pages share (:func:`moved_rects`; the bench draws its certificates with the same
  function), and so are the 2016/03 rows and blocks (by the median move of the fields in them).
- **2001/08**: the blank AcroForm's own fields (their names are the form author's, mapped in
  :data:`FIELDS_2001`); its rows are the bands of its INSR LTR fields. Cells the AcroForm lacks
  (umbrella dates and each occurrence, the combined single limit, the other row's type and limit) are derived from the
  fields around them (:data:`DERIVED_2001`).
- **2010/05**: no blank; the filled sample's own AcroForm (ACORD's names, rows lettered A-F) gives
  the rectangles, its page without the form gives the print (words inside a value field are left out).

What this script adds to those sources is the maps below: which contract key and which kind each
AcroForm field is, and which block it belongs to. Coverage rows get their row band (a value may sit
on any line of its row), party blocks the union of their fields' rectangles. Fields an edition has
and the contract lacks are left out (each map says which).
"""

from __future__ import annotations

import argparse
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.acord25.template import label_rivals
from pipeline.filetypes import PDF
from pipeline.textlayer import read_text_layer

REPO = Path(__file__).resolve().parents[1]
HEIGHT = 792.0
Rect = tuple[float, float, float, float]  # PDF points, origin bottom-left: x0, y0, x1, y1

# field-name pattern -> (contract key, kind); the first match wins. Keys of coverage rows are
# relative to their row's policy ("policy_number", "limits/each_occurrence", "check:occurrence").
FIELDS = [
    (r"Form_CompletionDate_A", "date", "date"),
    (r"Producer_ContactPerson_FullName_A", "producer/contact_name", "text"),
    (r"Producer_ContactPerson_PhoneNumber_A", "producer/phone", "phone"),
    (r"Producer_FaxNumber_A", "producer/fax", "phone"),
    (r"Producer_ContactPerson_EmailAddress_A", "producer/email", "email"),
    (r"Producer_(FullName|MailingAddress_.*)_A", "producer", "party"),
    (r"NamedInsured_(FullName|MailingAddress_.*)_A", "insured", "party"),
    (r"CertificateHolder_(FullName|MailingAddress_.*)_A", "certificate_holder", "party"),
    (r"Insurer_FullName_([A-F])", "insurers/{0}/name", "text"),
    (r"Insurer_NAICCode_([A-F])", "insurers/{0}/naic", "naic"),
    (r"CertificateOfInsurance_CertificateNumberIdentifier_A", "certificate_number", "text"),
    (r"CertificateOfInsurance_RevisionNumberIdentifier_A", "revision_number", "text"),
    (r"CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A", "description_of_operations", "remarks"),
    (r"Producer_AuthorizedRepresentative_Signature_A", "signed", "signature"),
    # coverage rows
    (r"(GeneralLiability|Vehicle|ExcessUmbrella|WorkersCompensationEmployersLiability|OtherPolicy)_InsurerLetterCode_A",
     "insurer_letter", "letter"),
    (r"CertificateOfInsurance_.*_AdditionalInsuredCode_A", "additional_insured", "yn"),
    (r"(Policy_.*|OtherPolicy)_SubrogationWaivedCode_A", "subrogation_waived", "yn"),
    (r"(Policy_.*|OtherPolicy)_PolicyNumberIdentifier_A", "policy_number", "text"),
    (r"(Policy_.*_|OtherPolicy_Policy)EffectiveDate_A", "effective", "date"),
    (r"(Policy_.*_|OtherPolicy_Policy)ExpirationDate_A", "expiration", "date"),
    (r"GeneralLiability_EachOccurrence_LimitAmount_A", "limits/each_occurrence", "amount"),
    (r"GeneralLiability_FireDamageRentedPremises_.*", "limits/damage_to_rented_premises", "amount"),
    (r"GeneralLiability_MedicalExpense_.*", "limits/medical_expense", "amount"),
    (r"GeneralLiability_PersonalAndAdvertisingInjury_.*", "limits/personal_advertising_injury", "amount"),
    (r"GeneralLiability_GeneralAggregate_LimitAmount_A", "limits/general_aggregate", "amount"),
    (r"GeneralLiability_ProductsAndCompletedOperations_.*", "limits/products_completed_operations_aggregate",
     "amount"),
    (r"GeneralLiability_ClaimsMadeIndicator_A", "check:basis=claims_made", "check"),
    (r"GeneralLiability_OccurrenceIndicator_A", "check:basis=occurrence", "check"),
    (r"GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A", "check:aggregate_applies_per=policy",
     "check"),
    (r"GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A",
     "check:aggregate_applies_per=project", "check"),
    (r"GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A",
     "check:aggregate_applies_per=location", "check"),
    (r"GeneralLiability_GeneralAggregate_LimitAppliesToOtherIndicator_A", "check:aggregate_applies_per=other",
     "check"),
    (r"GeneralLiability_OtherCoverageDescription_[AB]", "description", "text"),
    (r"Vehicle_OtherCoveredAutoDescription_[AB]", "description", "text"),
    (r"Vehicle_CombinedSingleLimit_.*", "limits/combined_single_limit", "amount"),
    (r"Vehicle_BodilyInjury_PerPersonLimitAmount_A", "limits/bodily_injury_per_person", "amount"),
    (r"Vehicle_BodilyInjury_PerAccidentLimitAmount_A", "limits/bodily_injury_per_accident", "amount"),
    (r"Vehicle_PropertyDamage_.*", "limits/property_damage", "amount"),
    (r"Vehicle_AnyAutoIndicator_A", "check:covered_autos+any", "check"),
    (r"Vehicle_AllOwnedAutosIndicator_A", "check:covered_autos+owned", "check"),
    (r"Vehicle_ScheduledAutosIndicator_A", "check:covered_autos+scheduled", "check"),
    (r"Vehicle_HiredAutosIndicator_A", "check:covered_autos+hired", "check"),
    (r"Vehicle_NonOwnedAutosIndicator_A", "check:covered_autos+non_owned", "check"),
    (r"Policy_PolicyType_UmbrellaIndicator_A", "check:line=umbrella_liability", "check"),
    (r"Policy_PolicyType_ExcessIndicator_A", "check:line=excess_liability", "check"),
    (r"ExcessUmbrella_OccurrenceIndicator_A", "check:basis=occurrence", "check"),
    (r"ExcessUmbrella_ClaimsMadeIndicator_A", "check:basis=claims_made", "check"),
    (r"ExcessUmbrella_Umbrella_EachOccurrenceAmount_A", "limits/each_occurrence", "amount"),
    (r"ExcessUmbrella_Umbrella_AggregateAmount_A", "limits/aggregate", "amount"),
    (r"ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A", "limits/retention", "amount"),
    (r"WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A", "check:statutory",
     "check"),
    (r"WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A", "any_member_excluded", "yn"),
    (r"WorkersCompensationEmployersLiability_EmployersLiability_EachAccident.*", "limits/el_each_accident",
     "amount"),
    (r"WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployee.*",
     "limits/el_disease_each_employee", "amount"),
    (r"WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicy.*",
     "limits/el_disease_policy_limit", "amount"),
    (r"OtherPolicy_OtherPolicyDescription_A", "description", "text"),
    (r"OtherPolicy_CoverageLimitAmount_A", "limits/limit", "amount"),
    # the 2010/05 AcroForm names its coverage rows' cells by row letter (A general liability ... F other);
    # the row comes from where the field lies. Its "other coverage" lines of the GL, auto, umbrella and WC
    # rows (a description and an amount each) have no contract key and are left out.
    (r"CertificateOfInsurance_AdditionalInsuredCode_[A-F]", "additional_insured", "yn"),
    (r"Policy_SubrogationWaivedCode_[A-F]", "subrogation_waived", "yn"),
    (r"Policy_PolicyNumberIdentifier_[A-F]", "policy_number", "text"),
    (r"Policy_EffectiveDate_[A-F]", "effective", "date"),
    (r"Policy_ExpirationDate_[A-F]", "expiration", "date"),
]

PARTY_RULE_PT = 4.0  # a party block's text keeps this clear of the block's right and bottom rules
RULE_OVERLAP_PT = 30.0  # a rule runs along a block when it overlaps it this far
ANCHOR_RULE_PT = 40.0  # shorter rules (the strokes of a label's box) are not a block's anchors

# coverage rows: (row name, contract line, top, bottom) in the text layer's y (the form's ruled rows)
ROWS = [("general_liability", 300.0, 384.0), ("automobile_liability", 384.0, 444.0),
        ("umbrella_liability", 444.0, 480.0), ("workers_compensation", 480.0, 528.0), ("other", 528.0, 564.0)]
ROW_WIDE = {"insurer_letter", "additional_insured", "subrogation_waived", "policy_number", "effective",
            "expiration", "any_member_excluded"}  # read anywhere in the row's band, not only on the field's line

# blocks: (name, x0, y0, x1, y1); a field belongs to the block its centre falls in, and so does a label
BLOCKS = [("header", 0, 0, 612, 120), ("producer", 0, 118, 306, 170), ("contact", 306, 118, 612, 160),
          ("insurers", 306, 156, 612, 240), ("insured", 0, 170, 306, 240), ("numbers", 0, 238, 612, 286),
          ("coverages", 0, 286, 612, 564), ("description", 0, 562, 612, 645), ("holder", 0, 645, 306, 745),
          ("signature", 306, 645, 612, 745), ("footer", 0, 745, 612, 792)]


# The 2001/08 AcroForm's own field names (the form author's, not ACORD's) -> (contract key, kind). Its check
# boxes are partly check-box fields and partly text fields placed on the printed box, some named after a
# neighbouring label: each is mapped by where it lies on the printed form, not by its name. Left out (no
# contract key): the GL and auto rows' boxes in front of blank lines, the unlabelled "$" lines (fill_52,
# fill_61, fill_62: the last GL and umbrella lines), the text
# fields over the label column (AGGREGATERow*, BODILY INJURY Per *), the garage row (the contract has no
# garage line), the umbrella deductible/retention boxes and the field spanning both umbrella date
# columns (EACH OCCURRENCE_2), the WC "statutory" row's amount (Row1_2), the cancellation days and
# the "Clear All" button. The edition has no contact, certificate or revision number, NAIC-F, SUBR WVD,
# umbrella/excess or WC Y/N field.
FIELDS_2001 = [
    (r"Date Top", "date", "date"),
    (r"PRODUCER", "producer", "party"),
    (r"INSURED", "insured", "party"),
    (r"Certificat Holder", "certificate_holder", "party"),
    (r"Insurer ([A-E]) Coverage", "insurers/{0}/name", "text"),
    (r"INSURER ([A-E])", "insurers/{0}/naic", "naic"),
    (r"INSR LTRRow1", "general_liability/insurer_letter", "letter"),
    (r"ADDL INSRDRow1", "general_liability/additional_insured", "yn"),
    (r"POLICY NUMBERRow1", "general_liability/policy_number", "text"),
    (r"EACH OCCURRENCE Effective Date", "general_liability/effective", "date"),
    (r"Each Occurrence Expiration Date", "general_liability/expiration", "date"),
    (r"fill_46", "general_liability/limits/each_occurrence", "amount"),
    (r"fill_47", "general_liability/limits/damage_to_rented_premises", "amount"),
    (r"fill_48", "general_liability/limits/medical_expense", "amount"),
    (r"fill_49", "general_liability/limits/personal_advertising_injury", "amount"),
    (r"fill_50", "general_liability/limits/general_aggregate", "amount"),
    (r"fill_51", "general_liability/limits/products_completed_operations_aggregate", "amount"),
    (r"Row1", "general_liability/check:basis=claims_made", "check"),  # the box before CLAIMS MADE
    (r"COMMERCIAL GENERAL LIABILITY", "general_liability/check:basis=occurrence", "check"),  # before OCCUR
    (r"CLAIMS MADE [12]", "general_liability/description", "text"),  # the two blank lines
    (r"Check Box4", "general_liability/check:aggregate_applies_per=policy", "check"),
    (r"POLICY", "general_liability/check:aggregate_applies_per=project", "check"),  # the box before PRO-JECT
    (r"LOC", "general_liability/check:aggregate_applies_per=location", "check"),
    (r"INSR LTRRow2", "automobile_liability/insurer_letter", "letter"),
    (r"ADDL INSRDRow2", "automobile_liability/additional_insured", "yn"),
    (r"POLICY NUMBERRow2", "automobile_liability/policy_number", "text"),
    (r"COMBINED SINGLE LIMIT Effective Date", "automobile_liability/effective", "date"),
    (r"COMBINED SINGLE LIMIT Expiration Date", "automobile_liability/expiration", "date"),
    (r"Auto Liability Any Auto", "automobile_liability/check:covered_autos+any", "check"),
    (r"All Owned Autos", "automobile_liability/check:covered_autos+owned", "check"),
    (r"Scheduled Autos", "automobile_liability/check:covered_autos+scheduled", "check"),
    (r"Hired Autos", "automobile_liability/check:covered_autos+hired", "check"),
    (r"Non-Owned Autos", "automobile_liability/check:covered_autos+non_owned", "check"),
    (r"NONOWNED AUTOS", "automobile_liability/description", "text"),  # the blank line
    (r"fill_54", "automobile_liability/limits/bodily_injury_per_person", "amount"),
    (r"fill_56", "automobile_liability/limits/bodily_injury_per_accident", "amount"),
    (r"fill_57", "automobile_liability/limits/property_damage", "amount"),
    (r"INSR LTRRow4", "umbrella_liability/insurer_letter", "letter"),
    (r"ADDL INSRDRow4", "umbrella_liability/additional_insured", "yn"),
    (r"POLICY NUMBERRow4", "umbrella_liability/policy_number", "text"),
    (r"Excess Umbrella Occur", "umbrella_liability/check:basis=occurrence", "check"),
    (r"OCCUR", "umbrella_liability/check:basis=claims_made", "check"),  # the box before CLAIMS MADE
    (r"fill_60", "umbrella_liability/limits/aggregate", "amount"),  # on the AGGREGATE line (EACH OCCURRENCE has none)
    (r"INSR LTRRow5", "workers_compensation/insurer_letter", "letter"),
    (r"WC STATU TORY LIMITS", "workers_compensation/check:statutory", "check"),
    (r"POLICY NUMBERANY PROPRIETOR.*", "workers_compensation/policy_number", "text"),
    (r"POLICY EFFECTIVE DATE MMDDYYANY PROPRIETOR.*", "workers_compensation/effective", "date"),
    (r"POLICY EXPIRATION DATE MMDDYYANY PROPRIETOR.*", "workers_compensation/expiration", "date"),
    (r"fill_63", "workers_compensation/limits/el_each_accident", "amount"),
    (r"EL DISEASE\s+EA EMPLOYEE", "workers_compensation/limits/el_disease_each_employee", "amount"),
    (r"fill_65", "workers_compensation/limits/el_disease_policy_limit", "amount"),
    (r"INSR LTRRow6", "other/insurer_letter", "letter"),
    (r"POLICY NUMBEROTHER", "other/policy_number", "text"),
    (r"POLICY EFFECTIVE DATE MMDDYYOTHER", "other/effective", "date"),
    (r"POLICY EXPIRATION DATE MMDDYYOTHER", "other/expiration", "date"),
    (r"DESCRIPTION OF OPERATIONS.*", "description_of_operations", "remarks"),
    (r"AUTHORIZED REPRESENTATIVE", "signed", "signature"),
]

# Cells the 2001/08 AcroForm has no field for, derived from the fields around them (keys as above):
# (key, kind, left edge, right edge, height). An edge is ("x0" | "x1", key of the field whose edge it is);
# the height is the key's whole row ("row") or its row from the top down to a field ("above", key).
DERIVED_2001 = [
    ("umbrella_liability/effective", "date", ("x0", "general_liability/effective"),
     ("x1", "general_liability/effective"), "row"),
    ("umbrella_liability/expiration", "date", ("x0", "general_liability/expiration"),
     ("x1", "general_liability/expiration"), "row"),
    ("automobile_liability/limits/combined_single_limit", "amount",
     ("x0", "automobile_liability/limits/bodily_injury_per_person"),
     ("x1", "automobile_liability/limits/bodily_injury_per_person"),
     ("above", "automobile_liability/limits/bodily_injury_per_person")),
    ("umbrella_liability/limits/each_occurrence", "amount", ("x0", "umbrella_liability/limits/aggregate"),
     ("x1", "umbrella_liability/limits/aggregate"), ("above", "umbrella_liability/limits/aggregate")),
    ("other/description", "text", ("x1", "other/insurer_letter"), ("x0", "other/policy_number"), "row"),
    ("other/limits/limit", "amount", ("x1", "other/expiration"), ("x1", "general_liability/limits/each_occurrence"),
     "row"),
]

# The 2001/08 page's blocks (the notice beside the producer is a block of its own: it is print only)
BLOCKS_2001 = [("header", 0, 0, 612, 46), ("producer", 0, 46, 306, 108), ("notice", 306, 46, 612, 90),
               ("insurers", 306, 90, 612, 168), ("insured", 0, 108, 306, 168), ("coverages", 0, 168, 612, 588),
               ("description", 0, 588, 612, 660), ("holder", 0, 660, 306, 757), ("signature", 306, 660, 612, 757),
               ("footer", 0, 757, 612, 792)]


@dataclass(frozen=True)
class Edition:
    """Where one edition's template comes from."""

    edition: str
    source: str  # the PDF (in ../shared/corpus/real) whose print and rules the template holds
    rects: str  # the fields' rectangles: "dump" (acord25_fields.txt), "acroform" (the source's own), "moved"
    fields: tuple = tuple(FIELDS)
    rows: str = "fixed"  # "fixed": ROWS; "letters": each row is its insurer-letter field's band; "moved"
    blocks: tuple = tuple(BLOCKS)
    derived: tuple = ()
    filled: bool = False  # the source is a filled certificate: words inside its value fields are not print
    party_lines: bool = True  # party blocks are line fields under their label (not one field for the block)

    @property
    def file(self) -> str:
        return self.edition.replace("/", "-") + ".json"


REFERENCE = "2016/03"  # the edition whose rectangles are moved onto a blank without fields
EDITIONS = {e.edition: e for e in (
    Edition("2016/03", "blank_acord25_echoparkpaper-meridmail.pdf", "dump"),
    Edition("2025/12", "blank_acord25-2025-12_specimen_noform_freight-audit-next.pdf", "moved", rows="moved"),
    Edition("2001/08", "blank_acord25-2001-08_acroform_2pages_freight-audit-next.pdf", "acroform",
            tuple(FIELDS_2001), "letters", tuple(BLOCKS_2001), tuple(DERIVED_2001), party_lines=False),
    Edition("2010/05", "filled_acord25-2010-05_xfa-encrypted_sensible-docs_acord_25_test.pdf", "acroform",
            filled=True),
)}


def parse_fields(path: Path, blank: str) -> dict[str, list[float]]:
    rects, inside = {}, False
    for line in path.read_text().splitlines():
        if line.startswith("## ") and line.strip().endswith(".pdf"):
            inside = line[3:].strip() == blank
            continue
        if inside and line.startswith("1 | "):
            parts = [p.strip() for p in line.split("|")]
            x0, y0, x1, y1 = json.loads(parts[5])
            if x1 > x0:
                rects[parts[1]] = [x0, round(HEIGHT - y1, 2), x1, round(HEIGHT - y0, 2)]
    return rects


def top_left(rects: dict[str, Rect]) -> dict[str, list[float]]:
    """PDF rectangles (origin bottom-left) in the text layer's space (origin top-left)."""
    return {name: [round(x0, 2), round(HEIGHT - y1, 2), round(x1, 2), round(HEIGHT - y0, 2)]
            for name, (x0, y0, x1, y1) in rects.items()}


def short_name(full: str) -> str:
    """``F[0].P1[0].Insurer_FullName_A[0]`` -> ``Insurer_FullName_A`` (the XFA editions' SOM names)."""
    return re.sub(r"\[\d+\]", "", full).split(".")[-1]


def widget_rects(path: Path) -> dict[str, Rect]:
    """Each page-1 field's rectangle from its widget's ``/Rect`` (PDF points, origin bottom-left)."""
    import pikepdf

    def walk(fields, prefix=""):
        for f in fields:
            name = prefix + str(f.get("/T", ""))
            if "/Kids" in f and "/T" in f.Kids[0]:
                yield from walk(f.Kids, name + ".")
            else:
                yield name, f.Kids[0] if "/Kids" in f else f

    rects = {}
    with pikepdf.open(path, password="") as pdf:
        page1 = pdf.pages[0].obj.objgen
        for name, widget in walk(pdf.Root.AcroForm.Fields):
            if "/P" in widget and widget.P.objgen != page1:
                continue
            x0, y0, x1, y1 = (float(v) for v in widget.Rect)
            if x1 - x0 > 1 and y1 - y0 > 1:
                rects[short_name(name)] = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return rects


def without_form(path: Path) -> bytes:
    """The PDF's first page as printed without its form: fields, their values and buttons removed (and an
    XFA form's encryption)."""
    import pikepdf

    with pikepdf.open(path, password="") as pdf:
        if "/AcroForm" in pdf.Root:
            del pdf.Root["/AcroForm"]
        del pdf.pages[1:]
        page = pdf.pages[0]
        if "/Annots" in page.obj:
            page.obj.Annots = pikepdf.Array([a for a in page.obj.Annots if a.get("/Subtype") != "/Widget"])
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def label_words(path: Path) -> list[tuple[str, float, float]]:
    """The printed words of page 1: (text, x0, baseline from the bottom), in reading order."""
    import pdfplumber

    with pdfplumber.open(path) as doc:
        words = doc.pages[0].extract_words()
    return [(w["text"], w["x0"], HEIGHT - w["bottom"]) for w in sorted(words, key=lambda w: (w["top"], w["x0"]))]


MOVE_NEIGHBOUR_PT = 150.0  # a shared label is trusted when two others this close moved alike ...
MOVE_ALIKE_PT = 0.5  # ... within this (the words of a reflowed notice each move differently)
MOVE_ABOVE_PT = 2.0  # a field follows the labels at or above its bottom (a form's labels sit above or beside)


def moved_rects(reference: Path, target: Path, rects: dict[str, Rect], k: int = 1) -> dict[str, Rect]:
    """``rects`` of ``reference`` moved onto ``target`` (another edition of the form, without fields): each by
    the (median) shift of the ``k`` label(s) nearest to it, at or above it. A word printed as often on both
    pages is paired in reading order, and kept as a label when two neighbours of it moved alike.
    PDF points, origin bottom-left, in and out."""
    ref, tgt = label_words(reference), label_words(target)
    found = []
    for text in {t for t, _, _ in ref}:  # the n-th print of a word on one page with its n-th on the other
        mine = [(x, y) for t, x, y in ref if t == text]
        theirs = [(x, y) for t, x, y in tgt if t == text]
        if len(mine) == len(theirs):
            found += [(x, y, u - x, v - y) for (x, y), (u, v) in zip(mine, theirs)]
    anchors = [a for a in found if sum(1 for b in found if b is not a
                                       and abs(b[0] - a[0]) + abs(b[1] - a[1]) < MOVE_NEIGHBOUR_PT
                                       and abs(b[2] - a[2]) + abs(b[3] - a[3]) < MOVE_ALIKE_PT) >= 2]
    moved = {}
    for name, (x0, y0, x1, y1) in rects.items():
        above = [a for a in anchors if a[1] >= y0 - MOVE_ABOVE_PT] or anchors
        near = sorted(above, key=lambda a: max(x0 - a[0], a[0] - x1, 0) ** 2 + max(y0 - a[1], a[1] - y1, 0) ** 2)[:k]
        dx = sorted(a[2] for a in near)[len(near) // 2]
        dy = sorted(a[3] for a in near)[len(near) // 2]
        moved[name] = (x0 + dx, y0 + dy, x1 + dx, y1 + dy)
    return moved


def classify(name: str, table=FIELDS) -> tuple[str, str] | None:
    for pattern, key, kind in table:
        m = re.fullmatch(pattern, name)
        if m:
            return key.format(*m.groups()), kind
    return None


def block_of(x: float, y: float, blocks=BLOCKS) -> str:
    return next(b[0] for b in blocks if b[1] <= x <= b[3] and b[2] <= y <= b[4])


def ruled_lines(data: bytes) -> list[list[float]]:
    """The blank's ruled lines, in points: the page drawn at the OCR stage's resolution and its rules
    found by the OCR stage's own finder (:func:`pipeline.ocr.rules.long_rules`), so that the template's
    rules are the ones a scan of the form gives."""
    from pipeline.ocr import deskew, raster, rules

    page = raster.rasterize(data, PDF, max_pages=1)[0]
    level, upright = rules.printed_rule_masks(deskew.binarise_fine(page.image), page.dpi,
                                              bridge_pt=rules.DASHED_GAP_PT)
    scale = 72.0 / page.dpi
    found = [[round(v * scale, 1) for v in segment] for segment in rules.long_rules(level, upright, page.dpi)[1]]
    return sorted(found, key=lambda r: (r[1], r[0]))


def rules_of(rules: list[list[float]], x0: float, y0: float, x1: float, y1: float) -> list[int]:
    """The rules that run along a block: a level rule inside its height over RULE_OVERLAP_PT of its
    width, an upright one inside its width over RULE_OVERLAP_PT of its height; ANCHOR_RULE_PT long at least."""
    out = []
    for i, (rx0, ry0, rx1, ry1) in enumerate(rules):
        if max(rx1 - rx0, ry1 - ry0) < ANCHOR_RULE_PT:
            continue
        if rx1 - rx0 >= ry1 - ry0:
            inside = y0 <= (ry0 + ry1) / 2 <= y1 and min(rx1, x1) - max(rx0, x0) >= RULE_OVERLAP_PT
        else:
            inside = x0 <= (rx0 + rx1) / 2 <= x1 and min(ry1, y1) - max(ry0, y0) >= RULE_OVERLAP_PT
        if inside:
            out.append(i)
    return out


CHECK_LABEL_PT = 30.0  # a check box's label starts within this distance right of the box


def check_label(box: list[float], words: list[list]) -> int | None:
    """The printed word that names a check box: the first one to its right on its line (its middle within
    the box's height), starting within CHECK_LABEL_PT, of two letters or more, that the form prints nowhere
    else near the box (:func:`pipeline.acord25.template.label_rivals`: OWNED, not the AUTOS under it that
    the next row prints too); None when every such word is printed again near it."""
    cy, half = (box[1] + box[3]) / 2, (box[3] - box[1]) / 2
    near = sorted((w[1] - box[2], i) for i, w in enumerate(words) if abs((w[2] + w[4]) / 2 - cy) <= half
                  and -half <= w[1] - box[2] <= CHECK_LABEL_PT and sum(c.isalpha() for c in w[0]) >= 2)
    return next((i for _, i in near if not label_rivals(words, i, tuple(box))), None)


def cell_top(party: dict, block: tuple, words: list[list]) -> float | None:
    """Where a party block's ruled cell has room for a value: under the lowest of the block's print that stands
    above the block's fields (its label), when that is above their rectangle; else None (a label inside it)."""
    x0, y0, x1 = party["box"][0], party["box"][1], party["box"][2]
    above = [w[4] for w in words if x0 <= (w[1] + w[3]) / 2 <= x1 and block[2] <= (w[2] + w[4]) / 2 and w[4] < y0]
    return round(max(above), 2) if above else None


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0


def moved_layout(before: dict[str, list[float]], after: dict[str, list[float]]) -> tuple[list, list]:
    """The reference edition's rows and blocks moved as the fields in them moved (the median move)."""
    def move(x0: float, y0: float, x1: float, y1: float, across: bool) -> tuple[float, float]:
        inside = [n for n, b in before.items() if x0 <= (b[0] + b[2]) / 2 <= x1 and y0 <= (b[1] + b[3]) / 2 <= y1]
        return (_median([after[n][0] - before[n][0] for n in inside]) if across else 0.0,
                _median([after[n][1] - before[n][1] for n in inside]))

    rows = []
    for name, top, bottom in ROWS:
        _, dy = move(0, top, 612, bottom, False)
        rows.append((name, round(top + dy, 2), round(bottom + dy, 2)))
    blocks = []
    for name, x0, y0, x1, y1 in BLOCKS:
        dx, dy = move(x0, y0, x1, y1, True)
        blocks.append([name, round(x0 + dx, 2), round(y0 + dy, 2), round(x1 + dx, 2), round(y1 + dy, 2)])
    for b in blocks:  # blocks that moved apart or together: each reaches down to the next one below it
        below = [c[2] for c in blocks if c is not b and c[2] > b[2] and min(b[3], c[3]) - max(b[1], c[1]) > 0]
        if below:
            b[4] = min(below)
    return rows, [tuple(b) for b in blocks]


def field_rects(spec: Edition, real: Path) -> dict[str, list[float]]:
    """The edition's field rectangles by field name, in the text layer's space."""
    if spec.rects == "dump":
        return parse_fields(real / "acord25_fields.txt", spec.source)
    if spec.rects == "acroform":
        return top_left(widget_rects(real / spec.source))
    reference = EDITIONS[REFERENCE]
    rects = {n: (b[0], HEIGHT - b[3], b[2], HEIGHT - b[1]) for n, b in field_rects(reference, real).items()}
    return top_left(moved_rects(real / reference.source, real / spec.source, rects))


def _derived(spec: Edition, fields: list[dict], rows: dict[str, tuple[float, float]],
             blocks: list) -> list[dict]:
    by_key = {}
    for f in fields:
        by_key.setdefault(f["key"], f)
    out = []
    for key, kind, left, right, height in spec.derived:
        top, bottom = rows[key.split("/")[0]]
        if height != "row":
            bottom = by_key[height[1]]["box"][1]
        x0 = by_key[left[1]]["box"][0 if left[0] == "x0" else 2]
        x1 = by_key[right[1]]["box"][0 if right[0] == "x0" else 2]
        box = [x0, top, x1, bottom]
        out.append({"name": key, "key": key, "kind": kind, "box": box,
                    "block": block_of((x0 + x1) / 2, (top + bottom) / 2, blocks)})
    return out


def build(shared: Path, edition: str = "2016/03") -> dict:
    spec = EDITIONS[edition]
    real = shared / "corpus" / "real"
    blank = spec.source
    rects = field_rects(spec, real)
    if spec.rows == "moved":
        reference = field_rects(EDITIONS[REFERENCE], real)
        row_list, block_list = moved_layout(reference, {n: rects[n] for n in reference})
    elif spec.rows == "letters":
        row_list = []
        for name, box in rects.items():
            found = classify(name, spec.fields)
            if found and found[0].endswith("/insurer_letter"):
                row_list.append((found[0].split("/")[0], box[1], box[3]))
        row_list.sort(key=lambda r: r[1])
        block_list = list(spec.blocks)
    else:
        row_list, block_list = list(ROWS), list(spec.blocks)
    row_names = {r[0] for r in row_list}
    data = (real / blank).read_bytes() if spec.rects == "dump" else without_form(real / blank)
    page = read_text_layer(data)[0]
    fields = []
    for name, box in rects.items():
        found = classify(name, spec.fields)
        if found is None:
            continue
        key, kind = found
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        row = next((r for r in row_list if r[1] <= cy < r[2]), None)
        if key.split("/")[0] in row_names:
            row = next(r for r in row_list if r[0] == key.split("/")[0])
            key = key.split("/", 1)[1]
        if row is not None and not key.startswith(("insurers", "description_of")):
            if key in ROW_WIDE:
                box = [box[0], row[1], box[2], row[2]]
            key = f"{row[0]}/{key}"
        fields.append({"name": name, "key": key, "kind": kind, "box": box, "block": block_of(cx, cy, block_list)})
    fields += _derived(spec, fields, {r[0]: (r[1], r[2]) for r in row_list}, block_list)
    rows_by_name = dict((r[0], r[1:]) for r in row_list)
    by_key = {f["key"]: f for f in fields}
    for f in fields:  # the other row's type of insurance, and its limit anywhere in the row's LIMITS area (which
        if f["key"] in ("other/description", "other/limits/limit"):  # starts where the row's dates end): in the band
            top, bottom = rows_by_name["other"]
            x0 = min(f["box"][0], 36.0) if f["key"] == "other/description" else by_key["other/expiration"]["box"][2]
            f["box"] = [x0, top, f["box"][2], bottom]
    parties: dict[str, dict] = {}
    for f in [f for f in fields if f["kind"] == "party"]:
        fields.remove(f)
        p = parties.setdefault(f["key"], dict(f, name=f["key"], box=list(f["box"])))
        p["box"] = [min(p["box"][0], f["box"][0]), min(p["box"][1], f["box"][1]),
                    max(p["box"][2], f["box"][2]), max(p["box"][3], f["box"][3])]
    for p in parties.values():  # a free block may start at the block's left rule and right under its label
        p["box"][0] = min(p["box"][0], 22.0)
        block = next(b for b in block_list if b[0] == p["block"])  # and run to its right and bottom rules (ZIP
        p["box"][2] = max(p["box"][2], block[3] - PARTY_RULE_PT)  # codes and a last line sit there on forms
        p["box"][3] = max(p["box"][3], block[4] - PARTY_RULE_PT)  # whose fields stop short)
        if spec.party_lines:  # (a field for the whole block starts there already)
            p["typed_top"] = round(p["box"][1], 2)  # where the form's own fields start: a value is typed from here
            p["box"][1] = min(p["box"][1], p["box"][1] - 12.0)
    fields += parties.values()
    words = [[w.text, w.x0, w.y0, w.x1, w.y1] for w in page.words]
    if spec.filled:  # a filled certificate's values are not the form's print
        values = [b for n, b in rects.items()]
        words = [w for w in words if not any(b[0] <= (w[1] + w[3]) / 2 <= b[2] and b[1] <= (w[2] + w[4]) / 2 <= b[3]
                                             for b in values)]
    for p in parties.values():  # a block whose label stands above its fields: a line may be typed in between
        top = cell_top(p, next(b for b in block_list if b[0] == p["block"]), words)
        if top is not None:
            p["cell_top"] = top
    for f in fields:  # a check box's own label: the box is read beside it
        if f["kind"] == "check":
            label = check_label(f["box"], words)
            if label is not None:
                f["label"] = label
    rules = ruled_lines(data)
    blocks = {name: {"box": [x0, y0, x1, y1],
                     "anchors": [i for i, w in enumerate(words)
                                 if len(w[0]) >= 2 and block_of((w[1] + w[3]) / 2, (w[2] + w[4]) / 2, block_list) == name],
                     "rules": rules_of(rules, x0, y0, x1, y1)}
              for name, x0, y0, x1, y1 in block_list}
    source = f"{blank} and acord25_fields.txt" if spec.rects == "dump" else \
        f"{blank}, its fields' rectangles" if spec.rects == "acroform" else \
        f"{blank}, with the {REFERENCE} rectangles moved by the labels both share"
    return {"edition": spec.edition, "source": source, "page": [page.width, page.height],
            "rows": {r[0]: [r[1], r[2]] for r in row_list}, "print": words, "rules": rules, "blocks": blocks,
            "fields": fields}


def write(template: dict, out: Path) -> None:
    text = json.dumps(template, indent=1)
    out.write_text(re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--edition", action="append", choices=sorted(EDITIONS),
                        help="the edition(s) to write (default: every one)")
    parser.add_argument("--out-dir", type=Path, default=REPO / "pipeline" / "acord25" / "templates")
    args = parser.parse_args()
    for edition in args.edition or sorted(EDITIONS):
        template = build(args.shared, edition)
        out = args.out_dir / EDITIONS[edition].file
        write(template, out)
        print(f"{out}: {len(template['fields'])} fields, {len(template['print'])} printed words, "
              f"{len(template['rules'])} rules")


if __name__ == "__main__":
    main()
