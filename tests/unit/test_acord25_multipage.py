"""Multi-page documents: the ACORD 25 page is found wherever it sits, and an ACORD 101 / remarks
page after it continues the description of operations.

Documents are put together from ``samples.certificates`` pages: ``draw_certificate``,
``draw_cover_letter``, ``draw_remarks_schedule`` (our own drawing in the manner of the ACORD 101)
and pages drawn here with reportlab (an endorsement, a plain continuation page).
"""

from __future__ import annotations

import io
import random

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from pipeline.stages import extract, read
from samples.certificates import (
    draw_certificate,
    draw_cover_letter,
    draw_remarks_schedule,
    join_pdfs,
    random_certificate,
)

REMARKS = ("Project: Riverside Depot expansion, 400 Mill Rd. The certificate holder is an additional insured "
           "on a primary and non-contributory basis with respect to the general liability policy.")


def _cert(seed: int, description: str | None = "See attached additional remarks.") -> dict:
    cert = random_certificate(random.Random(seed))
    cert["description_of_operations"] = description
    return cert


def _page(*lines: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.setFont("Helvetica", 10)
    for i, line in enumerate(lines):
        canvas.drawString(60, letter[1] - 80 - 14 * i, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _extract(pdf: bytes) -> dict:
    return extract(read(pdf))


def _without_evidence(cert: dict) -> dict:
    return {k: v for k, v in cert.items() if k != "evidence"}


def test_given_a_cover_letter_before_the_certificate_when_extracted_then_page_two_is_read_and_cited():
    cert = _cert(21, "Evidence of coverage for ongoing operations.")
    alone = _extract(draw_certificate(cert))
    behind = _extract(join_pdfs(draw_cover_letter(cert), draw_certificate(cert)))
    assert _without_evidence(behind) == _without_evidence(alone)
    assert behind["insured"]["name"] == cert["insured"]["name"]
    assert {item["page"] for item in behind["evidence"].values()} == {2}
    assert behind["evidence"]["/insured/name"]["bbox"] == alone["evidence"]["/insured/name"]["bbox"]


def test_given_an_acord_101_after_the_certificate_when_extracted_then_its_remarks_continue_the_description():
    cert = _cert(22)
    out = _extract(join_pdfs(draw_certificate(cert), draw_remarks_schedule(cert, REMARKS)))
    assert out["description_of_operations"] == f"See attached additional remarks. {REMARKS}"
    evidence = out["evidence"]["/description_of_operations"]
    assert evidence["page"] == 1 and evidence["confidence"] >= 0.9
    [continued] = evidence["continued"]
    assert continued["page"] == 2 and continued["bbox"][1] > 190  # below the schedule's own header
    assert cert["insured"]["name"] not in out["description_of_operations"]  # the 101's header is not remarks
    assert "ACORD CORPORATION" not in out["description_of_operations"]  # nor its footer


def test_given_an_empty_description_and_a_continuation_page_when_extracted_then_the_page_gives_the_description():
    cert = _cert(23, None)
    continuation = _page("DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES (continued)", "", *REMARKS.split(". "))
    out = _extract(join_pdfs(draw_certificate(cert), continuation))
    assert out["description_of_operations"].startswith("Project: Riverside Depot expansion, 400 Mill Rd")
    assert "continued" not in out["description_of_operations"].lower()
    assert out["evidence"]["/description_of_operations"]["page"] == 2


def test_given_endorsement_pages_after_the_certificate_when_extracted_then_the_description_is_unchanged():
    cert = _cert(24, "Evidence of coverage for ongoing operations.")
    endorsement = _page("THIS ENDORSEMENT CHANGES THE POLICY. PLEASE READ IT CAREFULLY.",
                        "ADDITIONAL INSURED - OWNERS, LESSEES OR CONTRACTORS - SCHEDULED PERSON OR ORGANIZATION",
                        "This endorsement modifies insurance provided under the following:",
                        "COMMERCIAL GENERAL LIABILITY COVERAGE PART")
    out = _extract(join_pdfs(draw_cover_letter(cert), draw_certificate(cert), endorsement, endorsement))
    assert out["description_of_operations"] == "Evidence of coverage for ongoing operations."
    assert "continued" not in out["evidence"]["/description_of_operations"]
    assert out["evidence"]["/description_of_operations"]["page"] == 2


def test_given_a_second_certificate_when_extracted_then_remarks_after_it_are_not_the_first_ones():
    first, second = _cert(25, "First certificate."), _cert(26, "Second certificate.")
    out = _extract(join_pdfs(draw_certificate(first), draw_certificate(second), draw_remarks_schedule(second, REMARKS)))
    assert out["insured"]["name"] == first["insured"]["name"]
    assert out["description_of_operations"] == "First certificate."
