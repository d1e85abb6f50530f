"""The house in layers, as pyproject.toml's ``[tool.importlinter]`` states them: entry points
(``infra/entry``) > doors (``inbox``) > admin services > workers > adapters > samples > pipeline >
schemas, each importing only what sits below it, and the pipeline importing no infra, door, worker,
sample generator, dramatiq, boto3, SQLAlchemy or SMTP.

import-linter checks the contracts on grimp's import graph (imports inside functions and under
TYPE_CHECKING count); it runs as ``lint-imports`` in a process of its own, started with this
interpreter, on the repository or on a copy of it with a crossing added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the packages under ``root``, with ``root``'s pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--no-logo", "pyproject.toml"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)


def test_given_the_house_then_every_layer_imports_only_those_below_it():
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_given_the_layers_contract_then_every_module_of_infra_is_placed_in_a_layer():
    """import-linter checks only the modules a layer names: a new module of ``infra`` must be given
    its place (entry point, admin service or adapter) to be checked at all."""
    [layers] = [c["layers"] for c in config()["contracts"] if c["type"] == "layers"]
    named = {name.strip().strip("()") for layer in layers for name in layer.replace("|", ":").split(":")}
    graph = grimp.build_graph("infra", include_external_packages=False, cache_dir=None)
    assert graph.find_children("infra") - named == set()


CROSSINGS = {
    "a stage draws a sample certificate": (
        "pipeline/acord25/printed.py", "from samples import certificates",
        ["pipeline is not allowed to import samples", "pipeline.acord25.printed -> samples.certificates"]),
    "a stage talks to the database": (
        "pipeline/expiry.py", "import sqlalchemy",
        ["pipeline is not allowed to import sqlalchemy", "pipeline.expiry -> sqlalchemy"]),
    "an adapter calls the command line": (
        "infra/repo.py", "from infra.entry import cli",
        ["infra.repo is not allowed to import infra.entry", "infra.repo -> infra.entry.cli"]),
    "a worker reaches up to the SMTP door": (
        "workers/publish.py", "from inbox import smtp",
        ["workers is not allowed to import inbox", "workers.publish -> inbox.smtp"]),
}


@pytest.fixture(scope="module")
def house(tmp_path_factory) -> Path:
    """A copy of the house's packages and pyproject.toml, which keeps the contracts as it is."""
    root = tmp_path_factory.mktemp("house")
    for package in config()["root_packages"]:
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", root)
    done = lint_imports(root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


@pytest.mark.parametrize(("module", "line", "said"), CROSSINGS.values(), ids=CROSSINGS.keys())
def test_given_a_copy_of_the_house_with_one_import_crossing_a_layer_then_the_contracts_break_naming_it(
        house, tmp_path, module, line, said):
    shutil.copytree(house, tmp_path, dirs_exist_ok=True)
    with (tmp_path / module).open("a") as source:  # inside a function: it counts all the same
        source.write(f"\n\ndef _crossing():\n    {line}\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    for words in said:
        assert words in done.stdout, done.stdout
