"""Write the ACORD 25 (2016/03) template the born-digital reader registers pages to.

    .venv/bin/python scripts/make_template.py [--shared ../shared] [--out pipeline/acord25/templates/2016-03.json]

Run once; the JSON is committed (the reader needs it at run time, the shared corpus is not shipped).
Sources, both in ``../shared/corpus/real``: the official 2016/03 AcroForm's field rectangles
(``acord25_fields.txt``, PDF points, origin bottom-left) and the printed words and ruled lines of the
same blank (``blank_acord25_echoparkpaper-meridmail.pdf``, its words read by :mod:`pipeline.textlayer`,
its rules found on the page drawn at 300 dpi by the OCR stage's rule finder; origin top-left).
The template is in the text layer's space (origin top-left, y down).

What this script adds to those two sources is the map below: which contract key and which kind
each AcroForm field is, and which block it belongs to. Coverage rows get their row band (a value
may sit on any line of its row), party blocks the union of their fields' rectangles.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from pipeline.filetypes import PDF
from pipeline.textlayer import read_text_layer

REPO = Path(__file__).resolve().parents[1]
HEIGHT = 792.0

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
]

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


def classify(name: str) -> tuple[str, str] | None:
    for pattern, key, kind in FIELDS:
        m = re.fullmatch(pattern, name)
        if m:
            return key.format(*m.groups()), kind
    return None


def block_of(x: float, y: float) -> str:
    return next(b[0] for b in BLOCKS if b[1] <= x <= b[3] and b[2] <= y <= b[4])


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


def build(shared: Path) -> dict:
    real = shared / "corpus" / "real"
    blank = "blank_acord25_echoparkpaper-meridmail.pdf"
    rects = parse_fields(real / "acord25_fields.txt", blank)
    page = read_text_layer((real / blank).read_bytes())[0]
    fields = []
    for name, box in rects.items():
        found = classify(name)
        if found is None:
            continue
        key, kind = found
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        row = next((r for r in ROWS if r[1] <= cy < r[2]), None)
        if row is not None and not key.startswith(("insurers", "description_of")):
            if key in ROW_WIDE:
                box = [box[0], row[1], box[2], row[2]]
            key = f"{row[0]}/{key}"
        fields.append({"name": name, "key": key, "kind": kind, "box": box, "block": block_of(cx, cy)})
    for f in fields:  # the other row's type of insurance and its LIMITS amounts: anywhere in the row
        if f["key"] in ("other/description", "other/limits/limit"):
            top, bottom = dict((r[0], r[1:]) for r in ROWS)["other"]
            f["box"] = [min(f["box"][0], 36.0), top, f["box"][2], bottom]
    parties: dict[str, dict] = {}
    for f in [f for f in fields if f["kind"] == "party"]:
        fields.remove(f)
        p = parties.setdefault(f["key"], dict(f, name=f["key"], box=list(f["box"])))
        p["box"] = [min(p["box"][0], f["box"][0]), min(p["box"][1], f["box"][1]),
                    max(p["box"][2], f["box"][2]), max(p["box"][3], f["box"][3])]
    for p in parties.values():  # a free block may start at the block's left rule and right under its label
        p["box"][0] = min(p["box"][0], 22.0)
        p["box"][1] = min(p["box"][1], p["box"][1] - 12.0)
    fields += parties.values()
    words = [[w.text, w.x0, w.y0, w.x1, w.y1] for w in page.words]
    rules = ruled_lines((real / blank).read_bytes())
    blocks = {name: {"box": [x0, y0, x1, y1],
                     "anchors": [i for i, w in enumerate(words)
                                 if len(w[0]) >= 2 and block_of((w[1] + w[3]) / 2, (w[2] + w[4]) / 2) == name],
                     "rules": rules_of(rules, x0, y0, x1, y1)}
              for name, x0, y0, x1, y1 in BLOCKS}
    return {"edition": "2016/03", "source": f"{blank} and acord25_fields.txt", "page": [page.width, page.height],
            "rows": {r[0]: [r[1], r[2]] for r in ROWS}, "print": words, "rules": rules, "blocks": blocks,
            "fields": fields}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "pipeline" / "acord25" / "templates" / "2016-03.json")
    args = parser.parse_args()
    template = build(args.shared)
    text = json.dumps(template, indent=1)
    args.out.write_text(re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text) + "\n")
    print(f"{args.out}: {len(template['fields'])} fields, {len(template['print'])} printed words")


if __name__ == "__main__":
    main()
