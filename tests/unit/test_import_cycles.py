"""No import circle in the house: a module never imports, at run time, a module that imports it back
(directly or round a longer loop). Imports under ``if TYPE_CHECKING:`` are left out: they are
annotations, not run. Imports inside functions count. Every package of the house is checked, the
reader (``pipeline/acord25``) included. The worker services take the collaborators they name, so
no module of ``workers/`` but the worker process's entry point imports the composition root, not
even for an annotation.

Found with grimp's import graph (the same graph import-linter checks), cycles as its strongly
connected components (Tarjan)."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("infra", "inbox", "workers", "pipeline", "samples")
LEFT_OUT: tuple[str, ...] = ()


def import_circles(packages: tuple[str, ...], left_out: tuple[str, ...] = ()) -> list[list[str]]:
    """Every import circle among the modules of ``packages``: each a sorted list of its modules."""
    graph = grimp.build_graph(*packages, include_external_packages=False, exclude_type_checking_imports=True,
                              cache_dir=None)
    modules = {m for m in graph.modules if not any(m == p or m.startswith(p + ".") for p in left_out)}
    imports = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        for other in imports[module]:
            if other not in order:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], order[other])
        if low[module] == order[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in imports[module]:
                circles.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(modules)))
    try:
        for module in sorted(modules):
            if module not in order:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return circles


def described(circle: list[str], packages: tuple[str, ...]) -> str:
    graph = grimp.build_graph(*packages, include_external_packages=False, exclude_type_checking_imports=True,
                              cache_dir=None)
    lines = []
    for importer in circle:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & set(circle)):
            at = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
            lines.append(f"  {importer} -> {imported} (line {', '.join(map(str, at))})")
    return "\n".join(lines)


def test_no_module_of_the_house_imports_one_that_imports_it_back(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO))
    circles = import_circles(PACKAGES, LEFT_OUT)
    assert not circles, "import circles:\n" + "\n".join(described(c, PACKAGES) for c in circles)


def test_the_check_finds_a_circle_through_a_function_level_import(tmp_path, monkeypatch):
    """The checker itself bites: a circle closed by an import inside a function is found, one
    closed only under TYPE_CHECKING is not."""
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loopy import b\n")
    (package / "b.py").write_text("def later():\n    from loopy import c\n")
    (package / "c.py").write_text("import loopy.a\n")
    (package / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from loopy import e\n")
    (package / "e.py").write_text("from loopy import d\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_circles(("loopy",)) == [["loopy.a", "loopy.b", "loopy.c"]]
    assert import_circles(("loopy",), left_out=("loopy.c",)) == []


WORKER_ENTRY_POINTS = {"workers.entry"}  # ``dramatiq workers.entry:setup`` builds the App: the one that may


def test_no_worker_service_imports_the_composition_root_not_even_for_an_annotation(monkeypatch):
    """``workers/`` names its collaborators (sessions, settings, storage...) instead of taking the
    App (issue 20): only the worker process's entry point imports ``infra.bootstrap``."""
    monkeypatch.syspath_prepend(str(REPO))
    graph = grimp.build_graph("workers", "infra", include_external_packages=False,
                              exclude_type_checking_imports=False, cache_dir=None)
    importers = {m for m in graph.find_modules_that_directly_import("infra.bootstrap") if m.startswith("workers.")}
    assert importers <= WORKER_ENTRY_POINTS, f"workers/ modules importing infra.bootstrap: {sorted(importers)}"


@pytest.mark.parametrize("module", ["infra.entry.cli_events", "infra.entry.cli_uploads"])
def test_a_command_module_attaches_itself_without_importing_the_cli(module):
    """The ``coi`` commands of another module are added by ``attach(main)`` (infra/entry/cli_common.py)."""
    graph = grimp.build_graph("infra", include_external_packages=False, cache_dir=None)
    assert "infra.entry.cli" not in graph.find_modules_directly_imported_by(module)
