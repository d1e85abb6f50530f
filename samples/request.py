"""The sample certificate of what a holder requires, drawn: the certificate that
``pipeline.request_sample.sample_certificate`` fills, on our own ACORD 25 drawing
(``samples.certificates``), stamped SAMPLE.

    pdf = draw_sample(sample_certificate(requirements, vendor="Blue Heron Roofing LLC", tag="depot-7",
                                         today=date.today()))
"""

from __future__ import annotations

from typing import Any

from samples.certificates import draw_certificate

STAMP = "SAMPLE - NOT A CERTIFICATE OF INSURANCE"


def draw_sample(certificate: dict[str, Any]) -> bytes:
    """The sample as a one-page PDF, stamped SAMPLE above and below the form."""
    return draw_certificate(certificate, stamp=STAMP)
