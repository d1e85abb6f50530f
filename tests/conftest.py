"""Shared fixtures: where the real corpus lives, and skipping cleanly without it."""

from __future__ import annotations

import os
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

pytest_plugins = ["services", "receivers"]
