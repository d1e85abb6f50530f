"""Decision benchmark: correct certificates, and the same certificates broken one rule at a time.

Each case is drawn as a PDF (born-digital) and, with --scanned, also rendered as a degraded scan;
it is read, extracted and scored by the same code as the chain. A broken certificate that comes
out approved is a false approval (must be 0); a correct one that comes out rejected is a false
rejection. Run: ``.venv/bin/python -m bench.decisions [--certificates 20] [--scanned]``.
"""

from __future__ import annotations

import argparse
import copy
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from pipeline.errors import PipelineError
from pipeline.scoring import evaluate
from pipeline.stages import extract, read
from samples.certificates import draw_certificate, random_certificate

PROJECT = "Project 4417 Elm Street"


def compliant(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any], date]:
    """A certificate, a requirement set it meets, and the day to evaluate on."""
    certificate = random_certificate(rng)
    gl = next((p for p in certificate["policies"] if p["line"] == "general_liability"), None)
    if gl is None:
        gl = copy.deepcopy(random_certificate(random.Random(rng.random())))["policies"][0]
        certificate["policies"].insert(0, gl)
    gl.update(line="general_liability", basis="occurrence", additional_insured=True)
    gl["limits"]["each_occurrence"] = gl["limits"].get("each_occurrence") or 1_000_000
    certificate["signed"] = True
    certificate["description_of_operations"] = (
        f"{PROJECT}. {certificate['certificate_holder']['name']} is additional insured with respect to general liability.")
    as_of = date.fromisoformat(gl["effective"]) + timedelta(days=30)
    requirements = {
        "holder": dict(certificate["certificate_holder"]),
        "insured_name": certificate["insured"]["name"],
        "signature_required": True,
        "description_must_mention": [PROJECT],
        "lines": {"general_liability": {"required": True, "basis": "occurrence", "additional_insured": True,
                                        "limits": {"each_occurrence": gl["limits"]["each_occurrence"]}}},
    }
    return certificate, requirements, as_of


def _gl(certificate: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in certificate["policies"] if p["line"] == "general_liability")


def _typo(text: str) -> str:
    i = next(i for i in range(len(text) - 2, 0, -1) if text[i].isalpha())
    return text[:i] + ("x" if text[i].lower() != "x" else "y") + text[i + 1:]


MUTATIONS: dict[str, Callable[[dict[str, Any], date], None]] = {
    "limit_one_dollar_short": lambda c, d: _gl(c)["limits"].update(each_occurrence=_gl(c)["limits"]["each_occurrence"] - 1),
    "claims_made_not_occurrence": lambda c, d: _gl(c).update(basis="claims_made"),
    "additional_insured_blank": lambda c, d: _gl(c).update(additional_insured=None),
    "holder_misspelt": lambda c, d: c["certificate_holder"].update(name=_typo(c["certificate_holder"]["name"])),
    "expired_by_one_day": lambda c, d: _gl(c).update(expiration=(d - timedelta(days=1)).isoformat()),
    "project_reference_missing": lambda c, d: c.update(description_of_operations=c["description_of_operations"]
                                                       .replace(PROJECT + ". ", "")),
    "unsigned": lambda c, d: c.update(signed=False),
}


def render(certificate: dict[str, Any], scanned: bool, rng: random.Random) -> bytes:
    pdf = draw_certificate(certificate)
    if not scanned:
        return pdf
    from samples.scans import random_degradation, scan_pdf

    return scan_pdf(pdf, random_degradation(rng), rng)


def decide(data: bytes, requirements: dict[str, Any], as_of: date) -> str:
    try:
        return evaluate(extract(read(data)), requirements, as_of).decision.value
    except PipelineError:
        return "failed"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scanned", action="store_true", help="also render each case as a scan (slow: OCR)")
    args = parser.parse_args(argv)
    kinds = ["born-digital"] + (["scanned"] if args.scanned else [])
    table: dict[tuple[str, str], Counter] = defaultdict(Counter)
    started = time.perf_counter()
    rng = random.Random(args.seed)
    for _ in range(args.certificates):
        certificate, requirements, as_of = compliant(rng)
        cases = {"compliant": certificate}
        for name, mutate in MUTATIONS.items():
            broken = copy.deepcopy(certificate)
            mutate(broken, as_of)
            cases[name] = broken
        for kind in kinds:
            for name, case in cases.items():
                decision = decide(render(case, kind == "scanned", rng), requirements, as_of)
                table[(kind, name)][decision] += 1
    print(f"{'kind':13} {'case':28} {'n':>4} {'approved':>9} {'rejected':>9} {'review':>7} {'failed':>7}")
    totals: Counter = Counter()
    for (kind, name), counts in sorted(table.items()):
        n = sum(counts.values())
        print(f"{kind:13} {name:28} {n:4} {counts['approved']:9} {counts['rejected']:9} "
              f"{counts['needs_review']:7} {counts['failed']:7}")
        if name == "compliant":
            totals["compliant"] += n
            totals["false_rejections"] += counts["rejected"]
            totals["compliant_review"] += counts["needs_review"] + counts["failed"]
        else:
            totals["broken"] += n
            totals["false_approvals"] += counts["approved"]
            totals["broken_review"] += counts["needs_review"] + counts["failed"]
    print(f"\nfalse approvals: {totals['false_approvals']} of {totals['broken']} broken certificates (must be 0)")
    print(f"false rejections: {totals['false_rejections']} of {totals['compliant']} compliant certificates")
    reviewed = totals["compliant_review"] + totals["broken_review"]
    print(f"needs review (or failed to read): {reviewed} of {totals['compliant'] + totals['broken']}")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
