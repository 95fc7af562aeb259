"""The module map of design.md §3, enforced: every module has a layer, and imports point downwards only.

Layers, bottom up: ``domain`` (plain Python, no Qt), ``service`` (QtCore/QtGui objects that own state and
background work), ``view`` (widgets), ``entry`` (the composition root). A package's folder gives its layer
(``views/`` are views, ``training/`` is offline domain code); every other module is named in ``LAYERS``, so a
new module cannot escape the rules: it fails ``test_every_module_has_a_layer`` until it is classified.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "desktop_app"

FOLDERS = {"views": "view", "training": "domain", "formats": "domain"}
LAYERS = {
    "__init__": "domain",
    "__main__": "entry",
    "app": "entry",
    "annotations": "domain",
    "annotations.fastyaml": "domain",
    "annotations.colors": "domain",
    "annotations.model": "domain",
    "annotations.disk": "domain",
    "annotations.file_model": "domain",
    "annotations.lookup": "domain",
    "annotations.merge": "domain",
    "annotations.schema": "domain",
    "annotations.store": "domain",
    "annotations.yaml_reader": "domain",
    "annotations.yaml_scalars": "domain",
    "annotations.yaml_writer": "domain",
    "annotations.service": "service",
    "atomic_file": "domain",
    "cache": "domain",
    "clean_verbatim": "domain",
    "cli": "domain",
    "display_text": "domain",
    "document": "service",
    "export": "domain",
    "library": "domain",
    "library.all_annotations": "domain",
    "library.export_all": "domain",
    "library.catalog": "domain",
    "library.cli": "domain",
    "library.derived": "domain",
    "library.doctable": "domain",
    "library.index": "domain",
    "library.notes": "domain",
    "library.postings": "domain",
    "library.results": "domain",
    "library.service": "service",
    "library_annotations": "service",
    "outline": "domain",
    "outline.chapters": "domain",
    "outline.edits": "domain",
    "outline.minilm": "domain",
    "outline.section": "domain",
    "outline.title_candidates": "domain",
    "outline.title_model": "domain",
    "outline.title_semantic": "domain",
    "outline.title_words": "domain",
    "outline.titles": "domain",
    "outline.vectors": "domain",
    "paths": "domain",
    "quotes": "domain",
    "readability": "domain",
    "readability.network": "domain",
    "readability.segmentation": "domain",
    "search": "domain",
    "search._speedups": "domain",
    "search.index": "domain",
    "search.query": "domain",
    "search.service": "service",
    "search.snippets": "domain",
    "search.store": "domain",
    "search.vocabulary": "domain",
    "session": "service",
    "settings": "service",
    "speakers": "domain",
    "speakers.edits": "domain",
    "speakers.inference": "domain",
    "speakers.names": "domain",
    "tasks": "service",
    "timeline": "domain",
    "transcript": "domain",
}
ORDER = {"domain": 0, "service": 1, "view": 2, "entry": 3}
QT = ("PySide6", "PyQt", "shiboken")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" and len(rel.parts) > 1 else rel.parts
    return ".".join(parts)


def _layer(name: str) -> str | None:
    return FOLDERS.get(name.split(".")[0]) or LAYERS.get(name)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _all_modules() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _internal_layer(imported: str) -> str | None:
    """The layer of an imported ``desktop_app`` module (the longest classified prefix), None for others."""
    if not imported.startswith("desktop_app."):
        return None
    parts = imported.removeprefix("desktop_app.").split(".")
    for size in range(len(parts), 0, -1):
        layer = _layer(".".join(parts[:size]))
        if layer is not None:
            return layer
    return None


def test_every_module_has_a_layer() -> None:
    unclassified = sorted(name for name in _all_modules() if _layer(name) is None)
    assert not unclassified, f"add these modules to LAYERS in {Path(__file__).name}: {unclassified}"


def test_the_map_names_only_modules_that_exist() -> None:
    assert not sorted(set(LAYERS) - set(_all_modules()))


def test_domain_modules_import_no_qt() -> None:
    offenders = {
        name: sorted(i for i in imports if i.startswith(QT))
        for name, imports in _all_modules().items()
        if _layer(name) == "domain"
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_imports_point_downwards_only() -> None:
    upward = []
    for name, imports in _all_modules().items():
        own = ORDER[_layer(name) or "entry"]
        for imported in imports:
            layer = _internal_layer(imported)
            if layer is not None and ORDER[layer] > own:
                upward.append(f"{name} ({_layer(name)}) imports {imported} ({layer})")
    assert not upward


def test_qt_services_are_named_as_such() -> None:
    """A package's Qt service is its ``service`` module; nothing else in a domain package imports Qt."""
    for name, imports in _all_modules().items():
        if "." in name and _layer(name) == "service":
            assert name.endswith(".service"), name
        if any(i.startswith(QT) for i in imports) and _layer(name) == "domain":
            raise AssertionError(f"{name} imports Qt")
