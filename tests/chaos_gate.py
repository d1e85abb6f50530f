"""The ``chaos`` marker's gate: tests marked ``chaos`` (minutes long, they kill services of their own)
are skipped unless ``--chaos`` is given or ``COI_CHAOS=1`` is set, so ``make test`` runs everything
else. Loaded by ``tests/conftest.py`` (``pytest_plugins``)."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--chaos", action="store_true", default=False,
                     help="also run the tests marked chaos (bench/chaos.py through real processes; minutes)")


def chaos_wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("--chaos")) or os.environ.get("COI_CHAOS") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chaos_wanted(config):
        return
    skip = pytest.mark.skip(reason="a chaos test: run with --chaos or COI_CHAOS=1")
    for item in items:
        if item.get_closest_marker("chaos"):
            item.add_marker(skip)
