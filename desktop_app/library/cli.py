"""The headless ``library`` commands: ``add PATH…``, ``index``, ``list``, ``remove``, ``export FOLDER``,
``search QUERY``.

The same catalog and index as the app (``--data-dir`` or the platform folders). Indexing progress goes to
stderr; JSON to stdout with ``--json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.library.catalog import Catalog, open_library_catalog
from desktop_app.library.index import LibraryIndex
from desktop_app.library.notes import read_summary, with_speaker_corrections
from desktop_app.paths import app_dirs, default_transcript

if TYPE_CHECKING:
    import argparse

    from desktop_app.paths import AppDirs
    from desktop_app.speakers.edits import SpeakerEdits

EXIT_BAD_INPUT = 2


def run(args: argparse.Namespace) -> int:
    """Run one ``library`` subcommand; returns the exit code."""
    dirs = app_dirs(args.data_dir)
    catalog = open_library_catalog(dirs.data, default_transcript())
    command = args.library_command
    if command == "add":
        return _add(args, dirs, catalog)
    if command == "index":
        return _index(dirs, catalog)
    if command == "list":
        return _list(args, catalog)
    if command == "remove":
        return _remove(args, dirs, catalog)
    if command == "export":
        return _export(args, dirs, catalog)
    return _search(args, dirs, catalog)


def _print(payload: Any, as_json: bool, text: str) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n" if as_json else text)


def _add(args: argparse.Namespace, dirs: AppDirs, catalog: Catalog) -> int:
    missing = [p for p in args.paths if not Path(p).expanduser().exists()]
    for path in missing:
        print(f"error: {path} does not exist", file=sys.stderr)
    result = catalog.add_files([p for p in args.paths if p not in missing])
    for path, message in result.failed:
        print(f"skipped {path}: {message}", file=sys.stderr)
    payload = {
        "added": [e.to_json() for e in result.added],
        "moved": [e.to_json() for e in result.moved],
        "unchanged": len(result.unchanged),
        "failed": [{"path": p, "error": m} for p, m in result.failed],
    }
    text = f"{len(result.added)} added, {len(result.moved)} moved, {len(result.unchanged)} already there, "
    text += f"{len(result.failed)} failed; {len(catalog)} documents in the library\n"
    code = EXIT_BAD_INPUT if missing and not (result.added or result.moved or result.unchanged) else 0
    if not args.no_index:
        code = _index(dirs, catalog) or code
    _print(payload, args.json, text)
    return code


def _index(dirs: AppDirs, catalog: Catalog) -> int:
    index = LibraryIndex.open(dirs.cache)
    try:
        wanted = [(e.sha256, e.path, e.title) for e in catalog.entries() if not e.missing]

        def progress(done: int, total: int) -> None:
            if total and (done == total or done % 10 == 0):
                print(f"indexing: {done}/{total}", file=sys.stderr, flush=True)

        report = index.sync(wanted, dirs.cache, progress=progress)
        for path, message in report.failed:
            print(f"could not index {path}: {message}", file=sys.stderr)
    finally:
        index.close()
    return 0


def _list(args: argparse.Namespace, catalog: Catalog) -> int:
    entries = catalog.entries()
    lines = [f"{e.title}  [{e.words} words]  {e.path}{'  (missing)' if e.missing else ''}\n" for e in entries]
    _print(
        {"documents": [e.to_json() for e in entries]}, args.json, "".join(lines) or "The library is empty.\n"
    )
    return 0


def _remove(args: argparse.Namespace, dirs: AppDirs, catalog: Catalog) -> int:
    shas = []
    for given in args.documents:
        entry = catalog.get(given) or catalog.by_path(given)
        if entry is None:
            print(f"error: {given} is not in the library", file=sys.stderr)
            return EXIT_BAD_INPUT
        shas.append(entry.sha256)
    catalog.remove(shas)
    index = LibraryIndex.open(dirs.cache)
    try:
        index.remove(shas)
    finally:
        index.close()
    return 0


def _export(args: argparse.Namespace, dirs: AppDirs, catalog: Catalog) -> int:
    """Export All, as Library › Export All Annotations to Folder does (the same files)."""
    from desktop_app.library.all_annotations import collect_library, episode_refs
    from desktop_app.library.export_all import ExportFolderError, export_library

    collected = collect_library(episode_refs(catalog.entries()), dirs.annotations, dirs.cache)
    for problem in collected.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    try:
        report = export_library(args.folder, collected.episodes)
    except ExportFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for title, message in report.failed:
        print(f"not written {title}: {message}", file=sys.stderr)
    payload = {
        "folder": str(report.folder),
        "written": [str(p) for p in report.written],
        "renamed": list(report.renamed),
        "failed": [{"title": t, "error": m} for t, m in report.failed],
    }
    _print(payload, args.json, report.summary() + "\n")
    return 0 if not report.failed else 1


def _search(args: argparse.Namespace, dirs: AppDirs, catalog: Catalog) -> int:
    index = LibraryIndex.open(dirs.cache)
    try:
        result = index.search(args.query, limit=args.limit)
    finally:
        index.close()
    if result.error:
        print(f"error: {result.error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if result.episodes_indexed < len(catalog):
        print(
            f"note: {result.episodes_indexed} of {len(catalog)} documents are indexed "
            "(run 'library index' to finish)",
            file=sys.stderr,
        )
    result = with_speaker_corrections(
        result, _speaker_edits_of(dirs, catalog, {h.document for h in result.hits})
    )
    titles = {e.sha256: e.title for e in catalog.entries()}
    hits = [{**hit.to_json(), "title": titles.get(hit.document, hit.title)} for hit in result.hits]
    text = "".join(f"{h['title']} @{h['start']}  {h['section'] or ''}: {h['snippet']}\n" for h in hits)
    _print({"total": result.total, "hits": hits}, args.json, text or "No matches.\n")
    return 0


def _speaker_edits_of(dirs: AppDirs, catalog: Catalog, sha256s: set[str]) -> dict[str, SpeakerEdits]:
    """The user's speaker corrections of these documents (those that have any)."""
    edits = {}
    for entry in catalog.entries():
        if entry.sha256 in sha256s:
            summary = read_summary(dirs.annotations, entry.sha256, entry.path, entry.title)
            if not summary.speakers.is_empty:
                edits[entry.sha256] = summary.speakers
    return edits
