"""Finding a document's annotations file: file names, lookup by sha256 or source path, the header peek.

Owns the naming scheme (``<annotations_dir>/<title-slug>-<sha256[:12]>.yaml``, :func:`annotations_path`),
:func:`find_annotation_file` (by the text's sha256, else a file made for the same source path, which then
needs re-anchoring, else a new path) and :func:`read_document_header`, which reads the ``document`` fields
from the YAML event stream without constructing anything. No Qt here.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from desktop_app.annotations import file_model
from desktop_app.annotations.disk import open_regular
from desktop_app.annotations.file_model import MAX_DEPTH, AnnotationFileError
from desktop_app.annotations.yaml_scalars import LOADER

if TYPE_CHECKING:
    from collections.abc import Iterator


def slugify(title: str, limit: int = 60) -> str:
    """``Lex Fridman #383: Mark Zuckerberg`` -> ``lex-fridman-383-mark-zuckerberg``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:limit].strip("-") or "transcript"


def annotations_path(annotations_dir: str | os.PathLike[str], title: str, sha256: str) -> Path:
    """``<annotations_dir>/<title-slug>-<sha256[:12]>.yaml``."""
    return Path(annotations_dir) / f"{slugify(title)}-{sha256[:12]}.yaml"


def find_annotation_file(
    annotations_dir: str | os.PathLike[str],
    sha256: str,
    source_path: str | os.PathLike[str] | None,
    title: str | None = None,
) -> tuple[Path, bool]:
    """The file for a document: ``(path, needs_reanchor)``.

    By sha256 first (file name, then ``document.sha256`` inside), else a file made for the same source path
    (the transcript changed on disk: re-anchor), else a new path (slug from ``title`` or the source name).
    A file whose name matches but which cannot be read is returned, so that its error is shown and the file
    is not replaced by a new one.
    """
    folder = Path(annotations_dir)
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in (p for p in files if p.name.endswith(f"-{sha256[:12]}.yaml")):
        header = read_document_header(path)
        if header is None or header.get("sha256") in (sha256, "", None):
            return path, False
    headers = [(p, read_document_header(p)) for p in files]
    for path, header in headers:
        if header is not None and header.get("sha256") == sha256:
            return path, False
    if source_path:
        wanted = _same_path_key(source_path)
        same_source = [
            p
            for p, h in headers
            if h is not None and h.get("source") and _same_path_key(h["source"]) == wanted
        ]
        if same_source:
            return max(same_source, key=lambda p: p.stat().st_mtime_ns), True
    name = title or (Path(source_path).stem if source_path else "")
    return annotations_path(folder, name, sha256), False


def _same_path_key(path: str | os.PathLike[str]) -> str:
    try:
        resolved = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        resolved = Path(os.path.abspath(path))
    return os.path.normcase(str(resolved))


def read_document_header(path: str | os.PathLike[str]) -> dict[str, str] | None:
    """The scalar fields of the top-level ``document`` mapping, read from the event stream (nothing is
    constructed); None if the file is unreadable, too big, or not YAML."""
    try:
        with open(open_regular(path), "rb") as handle:
            if os.fstat(handle.fileno()).st_size > file_model.MAX_FILE_BYTES:
                return None
            return _header_from_events(yaml.parse(handle, Loader=LOADER))
    except (OSError, yaml.YAMLError, ValueError, AnnotationFileError, RecursionError):
        return None


def _header_from_events(events: Iterator[Any]) -> dict[str, str] | None:
    stream = iter(events)
    for event in stream:
        if isinstance(event, yaml.MappingStartEvent):
            break
        if isinstance(event, (yaml.SequenceStartEvent, yaml.ScalarEvent, yaml.AliasEvent)):
            return None
    else:
        return None
    while True:
        key, value = next(stream, None), next(stream, None)
        if not isinstance(key, yaml.ScalarEvent) or value is None or isinstance(value, yaml.AliasEvent):
            return None
        if isinstance(value, yaml.MappingStartEvent) and key.value == "document":
            return _collect_scalars(stream)
        if isinstance(value, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) and not _skip_collection(
            stream
        ):
            return None


def _skip_collection(stream: Iterator[Any]) -> bool:
    """Consume events up to the end of the collection just started; False if the stream is odd."""
    depth = 1
    for event in stream:
        if isinstance(event, yaml.AliasEvent):
            return False
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            if depth == 0:
                return True
    return False


def _collect_scalars(events: Iterator[Any]) -> dict[str, str]:
    result: dict[str, str] = {}
    depth = 0
    pending: str | None = None
    for event in events:
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            pending = None
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            if depth == 0:
                break
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and depth == 0:
            if pending is None:
                pending = event.value
            else:
                result[pending] = event.value
                pending = None
    return result
