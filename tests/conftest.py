"""Shared fixtures: where the real corpus lives, and skipping cleanly without it; the markers
``corpus`` and ``tesseract``, so ``pytest tests/unit -m "not tesseract and not corpus"`` is the fast
pure core.

``corpus`` is put on every test that uses the ``real_corpus`` fixture. ``tesseract`` is written on
each test that runs the real tesseract, and checked: for the whole session ``tesseract`` on PATH is
a stand-in that notes which test started it, then runs the real one (and a read by the library in this
process, :mod:`pipeline.ocr.inprocess`, is noted the same way); a test under ``tests/unit``
that started it without the marker fails (integration and e2e tests are not checked: their worker
processes outlive the test that started them, so the note could name the wrong test).
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COI_SHARED_DIR", REPO_ROOT.parent / "shared"))
REAL_CORPUS = SHARED / "corpus" / "real"


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    """The folder of real ACORD 25 certificates; skips the test when it is absent."""
    if not REAL_CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {REAL_CORPUS}")
    return REAL_CORPUS

pytest_plugins = ["services", "receivers", "chaos_gate"]

UNIT = REPO_ROOT / "tests" / "unit"
_TESSERACT_LOG: Path | None = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "real_corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)


def pytest_configure(config: pytest.Config) -> None:
    """Put the noting stand-in for tesseract first on PATH (inherited by every process started)."""
    global _TESSERACT_LOG
    real = shutil.which("tesseract")
    if real is None or _TESSERACT_LOG is not None:
        return
    folder = Path(tempfile.mkdtemp(prefix="coi-tesseract-"))
    _TESSERACT_LOG = folder / "started-by"
    stand_in = folder / "tesseract"
    stand_in.write_text(f'#!/bin/sh\nprintf \'%s\\n\' "$PYTEST_CURRENT_TEST" >> {shlex.quote(str(_TESSERACT_LOG))}\n'
                        f'exec {shlex.quote(real)} "$@"\n')
    stand_in.chmod(0o755)
    os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
    _note_reads_in_process(_TESSERACT_LOG)


def _note_reads_in_process(log: Path) -> None:
    """Each read by libtesseract in this process noted in ``log`` as the stand-in notes a run of the binary."""
    from pipeline.ocr.inprocess import Library

    read = Library.words_tsv

    def noted(self, *args, **kwargs):
        with log.open("a") as out:
            out.write(os.environ.get("PYTEST_CURRENT_TEST", "") + "\n")
        return read(self, *args, **kwargs)

    Library.words_tsv = noted


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TESSERACT_LOG is not None:
        shutil.rmtree(_TESSERACT_LOG.parent, ignore_errors=True)


def tests_that_started_tesseract() -> set[str]:
    """Node ids of the tests (setup, call or teardown) during which tesseract was started."""
    if _TESSERACT_LOG is None or not _TESSERACT_LOG.exists():
        return set()
    return {line.rsplit(" (", 1)[0] for line in _TESSERACT_LOG.read_text().splitlines() if line}


@pytest.fixture(autouse=True)
def _tesseract_only_when_marked(request: pytest.FixtureRequest):
    """A unit test that runs the real tesseract carries ``@pytest.mark.tesseract``."""
    yield
    if UNIT not in Path(str(request.node.path)).parents or request.node.get_closest_marker("tesseract"):
        return
    if request.node.nodeid in tests_that_started_tesseract():
        pytest.fail(f"{request.node.nodeid} ran tesseract without the marker: add @pytest.mark.tesseract "
                    "(pyproject.toml [tool.pytest.ini_options] markers)", pytrace=False)
