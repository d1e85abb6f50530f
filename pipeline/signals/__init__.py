"""Trust signals: is this certificate altered, self-issued or inconsistent? (a stage after extraction)

    signals = find_signals(data, reading, certificate, history=earlier_certificates)

Each :class:`Signal` has a code, a severity (``tamper`` | ``inconsistent`` | ``notice``), a sentence a
reviewer can act on and its evidence (page, box, PDF object, certificate value). The stage is pure: it
reads the bytes, the reading and the certificate it is given, and the account's earlier certificates
when the caller passes them. A part of the check that cannot run on a damaged file is recorded as a
``structure_not_checked`` notice; it never fails the document.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pipeline.signals.model import Code, Severity, Signal

__all__ = ["Code", "Severity", "Signal", "find_signals", "signals_of"]

log = logging.getLogger(__name__)


def find_signals(data: bytes | None, reading: Any, certificate: dict[str, Any], *, max_pages: int = 50,
                 history: Sequence[dict[str, Any]] | None = None, form: Any = None) -> list[Signal]:
    """Every signal of one document: its values, its layout, and (for a PDF) its structure. ``form``: the
    form :func:`~pipeline.acord25.identify.identify` found on the reading's pages, when the caller has it
    (the extract step does); found here otherwise."""
    from pipeline.acord25.identify import identify
    from pipeline.filetypes import PDF, sniff
    from pipeline.signals.content import content_signals
    from pipeline.signals.history import history_signals
    from pipeline.signals.lookalike import footer_signals, self_issued_signals

    pages = list(reading.pages)
    signals = [*content_signals(certificate), *self_issued_signals(certificate)]
    form = form if form is not None else identify(pages)
    if form is not None:
        signals += footer_signals(pages, form, ocr=reading.method == "ocr")
    if history:
        signals += history_signals(certificate, history)
    if data and sniff(data) == PDF:
        signals += _structure(data, reading, certificate, max_pages)
    order = {Severity.TAMPER: 0, Severity.INCONSISTENT: 1, Severity.NOTICE: 2}
    return sorted(signals, key=lambda s: order[s.severity])


def signals_of(certificate: dict[str, Any]) -> list[Signal]:
    """The signals recorded on a certificate (its ``signals`` key); none for one read before the stage."""
    return [Signal.from_dict(s) for s in certificate.get("signals") or []]


def _read_with_annotations(data: bytes, facts: Any, reading: Any, max_pages: int) -> frozenset[int]:
    """The pages whose annotations the text layer read as the page's text (none without annotations, or by OCR)."""
    from pipeline.textlayer import pages_read_with_annotations

    if not facts.annotations or reading.method != "text_layer":
        return frozenset()
    return frozenset(pages_read_with_annotations(data, max_pages=max_pages))


def _structure(data: bytes, reading: Any, certificate: dict[str, Any], max_pages: int) -> list[Signal]:
    from pipeline.signals.annotations import annotation_signals
    from pipeline.signals.metadata import metadata_signals
    from pipeline.signals.pdfdoc import overdraw_signals, structure
    from pipeline.signals.revisions import revision_signals

    signals: list[Signal] = []
    opening = _Opening(data)

    def step(name: str, run) -> None:
        try:
            signals.extend(run())
        except Exception as exc:  # a damaged or hostile structure: recorded, the document goes on
            log.warning("trust signals: %s could not be checked (%s: %s)", name, type(exc).__name__, exc)
            signals.append(Signal(Code.NOT_CHECKED, Severity.NOTICE,
                                  f"The file's {name} could not be checked ({type(exc).__name__}); the other "
                                  "checks ran.", {"detail": {"check": name}}))

    try:
        facts = []
        step("information entries and annotations",
             lambda: facts.append(structure(opening.pdf(), max_pages=max_pages)) or [])
        if facts:
            step("producer", lambda: metadata_signals(facts[0].info, certificate))
            step("annotations", lambda: annotation_signals(facts[0].annotations, certificate, facts[0].live_fields,
                                                                ocr=reading.method == "ocr",
                                                                merged=_read_with_annotations(data, facts[0], reading,
                                                                                              max_pages)))
        step("earlier revisions", lambda: revision_signals(data, certificate, lambda prefix: _revision(prefix, max_pages)))
        step("content streams", lambda: overdraw_signals(opening.pdf(), list(reading.pages), max_pages=max_pages))
    finally:
        opening.close()
    if reading.method == "text_layer":
        covered: dict[int, list[list[float]]] = {}
        for s in signals:
            if s.code == Code.DRAWN_OVER:
                covered.setdefault(s.evidence["page"], []).append(s.evidence["bbox"])
        step("hidden text", lambda: _hidden(data, reading, covered, max_pages))
    return signals


class _Opening:
    """The file opened with pikepdf once for the checks that read its structure (its entries and
    annotations, its content streams), on the first that asks; a file that cannot be opened fails each
    of them with the same error, as when each opened it."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pdf: Any = None
        self._error: Exception | None = None

    def pdf(self) -> Any:
        import io

        import pikepdf

        if self._error is not None:
            raise self._error
        if self._pdf is None:
            try:
                self._pdf = pikepdf.open(io.BytesIO(self._data))
            except Exception as exc:
                self._error = exc
                raise
        return self._pdf

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


def _revision(prefix: bytes, max_pages: int) -> dict[str, Any] | None:
    """The certificate of an earlier revision, read from its text layer (never by OCR); None if none."""
    from pipeline.errors import NotACertificate, PipelineError
    from pipeline.stages import extract, read_text

    try:
        reading = read_text(prefix, max_pages=max_pages)
        return extract(reading) if reading is not None else None
    except (NotACertificate, PipelineError):
        return None


def _hidden(data: bytes, reading: Any, covered: dict[int, list[list[float]]], max_pages: int) -> list[Signal]:
    from dataclasses import replace

    from pipeline.layertrust import check_layers
    from pipeline.signals.hidden import hidden_signals
    from pipeline.textlayer import read_text_layer

    pages = list(reading.pages)
    if all(p.hidden is not None for p in pages):  # the reading kept what it dropped: no second read of the layer
        return hidden_signals(pages, [replace(p, words=p.hidden) for p in pages], covered)
    scans = {c.number for c in check_layers(data, max_pages=max_pages) if c.scan}
    layer = [p for p in read_text_layer(data, max_pages=max_pages, drop_hidden=False) if p.number not in scans]
    return hidden_signals(pages, layer, covered)


def with_signals(data: bytes | None, reading: Any, certificate: dict[str, Any], *, max_pages: int = 50,
                 history: list[dict[str, Any]] | None = None, form: Any = None) -> dict[str, Any]:
    """The certificate with its trust signals under ``signals``: the stage after
    :func:`pipeline.stages.extract`. ``history``: the account's earlier certificates, when the caller
    has them; ``form``: the form identified on the reading's pages, when the caller has it."""
    found = find_signals(data, reading, certificate, max_pages=max_pages, history=history, form=form)
    return {**certificate, "signals": [s.to_dict() for s in found]}
