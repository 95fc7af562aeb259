"""The module map of design.md §3: domain modules import no Qt; imports point downwards only."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "desktop_app"

SERVICES = {"settings", "tasks", "document", "session", "search.service", "annotations.service"}
ENTRY = {"app", "__main__"}


def _is_domain(name: str) -> bool:
    """Everything that is not a view, a service or the entry point is domain code."""
    return not name.startswith("views") and name not in SERVICES and name not in ENTRY


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return ".".join(rel.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _all_modules() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py") if "training" not in p.parts}


def test_domain_modules_import_no_qt() -> None:
    modules = _all_modules()
    offenders = {
        name: sorted(i for i in imports if i.startswith(("PySide6", "PyQt", "shiboken")))
        for name, imports in modules.items()
        if _is_domain(name)
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_domain_and_services_never_import_views() -> None:
    modules = _all_modules()
    for name, imports in modules.items():
        if _is_domain(name) or name in SERVICES:
            assert not [i for i in imports if i.startswith("desktop_app.views") or i == "desktop_app.app"], name


def test_domain_modules_do_not_import_services() -> None:
    modules = _all_modules()
    service_modules = {f"desktop_app.{s}" for s in SERVICES}
    for name, imports in modules.items():
        if _is_domain(name):
            assert not imports & service_modules, name


def test_known_domain_modules_exist() -> None:
    names = set(_all_modules())
    for required in ("transcript", "readability.segmentation", "display_text", "cli", "paths", "outline.chapters", "outline.edits",
                     "annotations.model", "annotations.store", "export", "search.index", "search.query"):
        assert required in names
