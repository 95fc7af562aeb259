"""The annotations file (design.md §6): safe YAML load and validation, atomic save, merge, file lookup.

Reading is defensive: a size limit checked before reading; the (C, when PyYAML has LibYAML) parser's event
stream turned into plain data by a one-pass builder that refuses aliases/anchors, several documents and
nesting deeper than 40 levels as it goes (an alias bomb or 10,000 nested lists never reaches a constructor;
unusual YAML falls back to a full scan, then ``CSafeLoader``); and a schema check whose messages name the
entry and the field. Every failure becomes one :class:`AnnotationFileError`.

Writing is atomic: YAML events emitted straight to the C emitter (same bytes as ``yaml.dump`` with
``CSafeDumper``), a temp file in the same folder, fsync, the previous version hard-linked (or copied) to
``<name>.bak``, ``os.replace``, fsync of the folder. Unknown fields (top level, document, entry, target) are
kept on rewrite. Deletions leave tombstones so that :func:`merge` (by id, newest ``updated`` wins) does not
resurrect them; :class:`AnnotationStore` adds the external-change merge and an advisory lock. No Qt here.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import errno
import hashlib
import logging
import os
import re
import shutil
import stat as stat_module
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import yaml

from desktop_app.annotations import fastyaml
from desktop_app.annotations.model import (
    DEFAULT_COLOR_MEANINGS,
    Annotation,
    Target,
    Tombstone,
    format_timestamp,
    normalize_tags,
    parse_timestamp,
    utc_now,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger(__name__)

FORMAT_NAME = "transcript-reader-annotations"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024  # about 150,000 highlights; saves and loads refuse more alike
MAX_DEPTH = 40
MAX_OFFSET = 2**31 - 1  # a document offset (Qt's text positions are 32-bit)
STALE_TEMP_SECONDS = 600
TOMBSTONE_DAYS = 90  # a deletion is remembered this long, so that merges do not bring the annotation back

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class AnnotationFileError(Exception):
    """An annotations file could not be read, validated or written. ``str()`` names the file."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        super().__init__(f"{os.fspath(path)}: {message}")
        self.path = Path(path)
        self.message = message


@dataclass(frozen=True)
class FileStamp:
    """What we last read or wrote: enough to notice a change made by someone else."""

    mtime_ns: int
    size: int
    sha256: str


@dataclass
class DocumentRef:
    """The document a file belongs to: title, sha256 of its text, and the source path (a hint)."""

    title: str = ""
    sha256: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AnnotationFile:
    """The content of one annotations file.

    ``colors`` maps colour keys to their meanings (an extension of the design's schema), ``outline`` holds
    the user's outline edits as plain mappings, ``speakers`` the user's speaker corrections as written (None:
    none; read by ``speakers.edits``, which keeps and reports what it cannot read, so it is never refused
    here), ``deleted`` the tombstones, ``extra`` unknown top-level fields. ``stamp`` is runtime only: the disk state this content was loaded from or saved as.
    """

    document: DocumentRef = field(default_factory=DocumentRef)
    annotations: list[Annotation] = field(default_factory=list)
    colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLOR_MEANINGS))
    outline: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[Tombstone] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    speakers: Any = None
    version: int = FORMAT_VERSION
    stamp: FileStamp | None = field(default=None, compare=False, repr=False)

    def find(self, annotation_id: str) -> Annotation | None:
        """The annotation with this id, if any."""
        return next((a for a in self.annotations if a.id == annotation_id), None)

    def upsert(self, annotation: Annotation) -> None:
        """Add the annotation or replace the one with the same id."""
        for number, item in enumerate(self.annotations):
            if item.id == annotation.id:
                self.annotations[number] = annotation
                return
        self.annotations.append(annotation)

    def remove(self, annotation_id: str, now: str | None = None) -> Annotation | None:
        """Delete by id and leave a tombstone; returns the removed annotation (None if absent)."""
        found = self.find(annotation_id)
        if found is None:
            return None
        self.annotations = [a for a in self.annotations if a.id != annotation_id]
        self.deleted = [t for t in self.deleted if t.id != annotation_id]
        self.deleted.append(Tombstone(annotation_id, now or utc_now()))
        return found

    def restore(self, annotation: Annotation) -> None:
        """Undo a delete: put the annotation back and drop its tombstone."""
        self.deleted = [t for t in self.deleted if t.id != annotation.id]
        self.upsert(annotation)


# --------------------------------------------------------------------------------------------- reading


def load(path: str | os.PathLike[str]) -> AnnotationFile:
    """Read and validate an annotations file; raises :class:`AnnotationFileError`. Sets ``stamp``."""
    data, stat = _read_limited(Path(path))
    result = parse(data, path)
    result.stamp = FileStamp(stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())
    return result


def parse(data: bytes | str, path: str | os.PathLike[str] = "<memory>") -> AnnotationFile:
    """Validate YAML text (bytes are decoded as UTF-8) into an :class:`AnnotationFile`."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise AnnotationFileError(path, _too_big(len(data)))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AnnotationFileError(path, f"not UTF-8 text (bad byte at position {exc.start})") from exc
    else:
        text = data
    try:
        raw = _fast_build(text, path)
        if raw is _NO_KEY:
            raw = _EventBuilder(path).build(text)
    except _Unusual:  # explicit tags, complex keys, merge keys: let PyYAML construct (after the scan)
        _scan_events(text, path)
        try:
            raw = yaml.load(text, Loader=_Loader)
        except (yaml.YAMLError, RecursionError, ValueError, OverflowError, TypeError, ArithmeticError) as exc:
            raise AnnotationFileError(path, f"not valid YAML: {_reason(exc)}") from exc
    return _Validator(path).file(raw)


_ANNOTATIONS_KEY = re.compile(r"^annotations:\n", re.MULTILINE)
_BLOCK_END = re.compile(r"^(?!- |  |$)", re.MULTILINE)


def _fast_build(text: str, path: str | os.PathLike[str]) -> Any:
    """The file's data with its ``annotations:`` block read by :mod:`fastyaml` when every entry is in the
    canonical shape the app writes (the rest through the event builder, with the block's lines kept as empty
    lines so that line numbers in messages stay right); ``_NO_KEY`` when the block is in another shape."""
    found = _ANNOTATIONS_KEY.search(text)
    if found is None:
        return _NO_KEY
    start = found.end()
    end_match = _BLOCK_END.search(text, start)
    end = end_match.start() if end_match is not None else len(text)
    if end < len(text) and text[end - 1] != "\n":
        return _NO_KEY
    entries = fastyaml.parse_entries(text[start:end], _resolves_to_str, str)
    if entries is None:
        return _NO_KEY
    try:
        raw = _EventBuilder(path).build(text[: found.start()] + "annotations: []\n" + text[end:])
    except AnnotationFileError:  # again with the block's lines as empty lines, for the right line number
        _EventBuilder(path).build(
            text[: found.start()] + "annotations: []\n" + "\n" * text.count("\n", start, end) + text[end:]
        )
        raise
    if not isinstance(raw, dict) or raw.get("annotations") != []:
        return _NO_KEY
    raw["annotations"] = entries
    return raw


_RESOLVED: dict[str, bool] = {}


def _resolves_to_str(value: str) -> bool:
    """A plain reading of ``value`` gives text (not a number, a date, true/false or null)."""
    known = _RESOLVED.get(value)
    if known is not None:
        return known
    result = _EventBuilder._resolve(value) == _STR_TAG
    if len(value) <= 24 and len(_RESOLVED) < 4096:  # colours, tags: few and repeated
        _RESOLVED[value] = result
    return result


def _too_big(size: int) -> str:
    return f"the file is {size / 1e6:.1f} MB; annotation files are limited to {MAX_FILE_BYTES // 2**20} MB"


def _open_regular(path: str | os.PathLike[str]) -> int:
    """A descriptor of a regular file, opened without blocking (a FIFO or device is refused, never waited on)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    if not stat_module.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise AnnotationFileError(
            path, "not a regular file (a pipe, device or folder cannot hold annotations)"
        )
    return fd


def _read_limited(path: Path) -> tuple[bytes, os.stat_result]:
    try:
        with open(_open_regular(path), "rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size > MAX_FILE_BYTES:
                raise AnnotationFileError(path, _too_big(stat.st_size))
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AnnotationFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise AnnotationFileError(path, _too_big(len(data)))
    return data, stat


def _scan_events(text: str, path: str | os.PathLike[str]) -> None:
    """Refuse aliases, anchors, several documents, deep nesting and repeated keys before anything is
    constructed."""
    depth = 0
    documents = 0
    keys: list[set[str] | None] = []  # per open collection: the plain keys seen (None: a sequence)
    expect_key: list[bool] = []
    try:
        event: Any
        for event in yaml.parse(text, Loader=_Loader):
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            if isinstance(event, yaml.AliasEvent):
                raise AnnotationFileError(
                    path, f"line {line}: YAML aliases (*{event.anchor}) are not allowed"
                )
            if getattr(event, "anchor", None):
                raise AnnotationFileError(
                    path, f"line {line}: YAML anchors (&{event.anchor}) are not allowed"
                )
            is_key = bool(expect_key) and keys[-1] is not None and expect_key[-1]
            if (
                expect_key
                and keys[-1] is not None
                and isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent))
            ):
                expect_key[-1] = not expect_key[-1]
            if isinstance(event, yaml.ScalarEvent) and is_key:
                seen = keys[-1]
                assert seen is not None
                if event.value in seen:
                    raise AnnotationFileError(
                        path, f"line {line}: the key {_show(event.value)} appears twice in the same mapping"
                    )
                seen.add(event.value)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise AnnotationFileError(path, f"line {line}: nested deeper than {MAX_DEPTH} levels")
                keys.append(set() if isinstance(event, yaml.MappingStartEvent) else None)
                expect_key.append(True)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                keys.pop()
                expect_key.pop()
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise AnnotationFileError(path, f"line {line}: more than one YAML document in the file")
    except yaml.YAMLError as exc:
        raise AnnotationFileError(path, f"not valid YAML: {exc}") from exc


class _Unusual(Exception):
    """The file uses YAML features the fast builder leaves to PyYAML's constructor."""


_IMPLICIT_RESOLVERS: dict[Any, list[tuple[str, Any]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR_TAG = "tag:yaml.org,2002:str"
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp", "binary")
}
_NO_KEY = object()


def _where(stack: list[list[Any]]) -> str:
    """Where the builder is, as ``annotations[3] field 'note': `` (empty at the top level)."""
    parts: list[str] = []
    for _container, _key, name in stack:
        if name is not None:
            parts.append(f"[{name}]" if isinstance(name, int) and not isinstance(name, bool) else f".{name}")
    container, key, _name = stack[-1]
    if type(container) is list:
        parts.append(f"[{len(container)}]")
    elif key is not _NO_KEY:
        parts.append(f".{key}")
    path = "".join(parts).lstrip(".")
    if not path:
        return ""
    head, _, field_name = path.partition("].")
    if field_name:
        return f"{head}] field '{field_name}': "
    return f"'{path}': "


def _reason(exc: BaseException) -> str:
    text = str(exc).split("\n")[0]
    return text if len(text) <= 80 else text[:77] + "..."


class _EventBuilder:
    """Builds plain Python data straight from the (C) parser's events, refusing aliases, anchors, several
    documents and deep nesting as it goes: one pass, nothing built for a hostile file, and about twice as
    fast as PyYAML's node-by-node constructor. The same results as ``SafeLoader`` for what our files use;
    anything else (explicit collection tags, complex or merge keys) raises :class:`_Unusual`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self.cache: dict[str, Any] = {}

    def build(self, text: str) -> Any:
        stack: list[list[Any]] = []  # [container, pending key, its key or index in its parent]
        root: Any = None
        documents = 0
        event: Any
        try:
            for event in yaml.parse(text, Loader=_Loader):
                kind = type(event)
                if kind is yaml.ScalarEvent:
                    if event.anchor:
                        raise self._refuse(event, f"YAML anchors (&{event.anchor}) are not allowed")
                    value = self._scalar(event, stack)
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    if event.anchor:
                        raise self._refuse(event, f"YAML anchors (&{event.anchor}) are not allowed")
                    if event.tag is not None and not event.implicit:
                        raise _Unusual
                    if len(stack) >= MAX_DEPTH:
                        raise self._refuse(event, f"nested deeper than {MAX_DEPTH} levels")
                    value = {} if kind is yaml.MappingStartEvent else []
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    stack.pop()
                    continue
                elif kind is yaml.AliasEvent:
                    raise self._refuse(event, f"YAML aliases (*{event.anchor}) are not allowed")
                else:
                    if kind is yaml.DocumentStartEvent:
                        documents += 1
                        if documents > 1:
                            raise self._refuse(event, "more than one YAML document in the file")
                    continue
                name: Any = None
                if not stack:
                    root = value
                else:
                    name = self._attach(stack, value, event)
                if kind is not yaml.ScalarEvent:
                    stack.append([value, _NO_KEY, name])
        except yaml.YAMLError as exc:
            raise AnnotationFileError(self.path, f"not valid YAML: {exc}") from exc
        return root

    def _refuse(self, event: Any, message: str) -> AnnotationFileError:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        return AnnotationFileError(self.path, f"line {line}: {message}")

    def _attach(self, stack: list[list[Any]], value: Any, event: Any) -> Any:
        """Put ``value`` into the innermost open collection; returns its index or key there."""
        top = stack[-1]
        container = top[0]
        if type(container) is list:
            container.append(value)
            return len(container) - 1
        if top[1] is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise _Unusual  # a complex key
            if value in container:  # PyYAML would keep the last value silently: the first would be lost
                where = _where(stack) or "top level: "
                raise self._refuse(event, f"{where}the key {_show(value)} appears twice in the same mapping")
            top[1] = value
            return None
        key = top[1]
        container[key] = value
        top[1] = _NO_KEY
        return key

    def _scalar(self, event: Any, stack: list[list[Any]]) -> Any:
        try:
            return self._scalar_value(event)
        except (ValueError, OverflowError, TypeError, ArithmeticError, yaml.YAMLError) as exc:
            tag = (event.tag or self._resolve(event.value)).rsplit(":", 1)[-1]
            raise self._refuse(
                event, f"{_where(stack)}the value {_show(event.value)} is not a valid {tag} ({_reason(exc)})"
            ) from exc

    def _scalar_value(self, event: Any) -> Any:
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return value  # quoted or block scalar: text
            cached = self.cache.get(value, _NO_KEY)
            if cached is not _NO_KEY:
                return cached
            tag = self._resolve(value)
            result = value if tag == _STR_TAG else self._construct(tag, value)
            self.cache[value] = result
            return result
        if tag == _STR_TAG:
            return value
        return self._construct(tag, value)

    @staticmethod
    def _resolve(value: str) -> str:
        for tag, pattern in _IMPLICIT_RESOLVERS.get(value[:1], ()):
            if pattern.match(value):
                return tag
        return _STR_TAG

    @staticmethod
    def _construct(tag: str, value: str) -> Any:
        if tag not in _SCALAR_TAGS:
            raise _Unusual  # merge keys, '=' values, custom tags
        node = yaml.ScalarNode(tag, value)
        return _SCALAR_CONSTRUCTOR.yaml_constructors[tag](_SCALAR_CONSTRUCTOR, node)


_KNOWN_TOP = ("format", "version", "document", "colors", "annotations", "deleted", "outline", "speakers")
_KNOWN_DOC = ("title", "sha256", "source")
_KNOWN_ENTRY = ("id", "color", "created", "updated", "target", "note", "tags")
_KNOWN_TARGET = ("start", "end", "exact", "prefix", "suffix")
_KNOWN_ENTRY_SET, _KNOWN_TARGET_SET = frozenset(_KNOWN_ENTRY), frozenset(_KNOWN_TARGET)


class _Validator:
    """Turns the constructed YAML data into model objects; every message names the entry and the field."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self.stamps: set[str] = set()  # canonical time stamps already checked (many repeat)

    def fail(self, where: str, message: str) -> AnnotationFileError:
        return AnnotationFileError(self.path, f"{where}: {message}")

    def file(self, raw: Any) -> AnnotationFile:
        if raw is None:
            raise self.fail("file", "is empty")
        if not isinstance(raw, dict):
            raise self.fail("file", f"must be a mapping of fields, not {_kind(raw)}")
        fmt = raw.get("format", FORMAT_NAME)
        if fmt != FORMAT_NAME:
            raise self.fail("'format'", f"is {fmt!r}; expected {FORMAT_NAME!r} (not an annotations file?)")
        version = raw.get("version")
        if not _is_int(version):
            raise self.fail("'version'", f"must be an integer (got {_show(version)})")
        if version > FORMAT_VERSION:
            raise self.fail(
                "'version'",
                f"is {version}: the file was written by a newer Transcript Reader "
                f"(this one reads up to version {FORMAT_VERSION}); update the app to open it",
            )
        if version < 1:
            raise self.fail("'version'", f"must be at least 1 (got {version})")
        return AnnotationFile(
            document=self.document(raw.get("document")),
            annotations=self.annotations(raw.get("annotations")),
            colors=self.colors(raw.get("colors")),
            outline=self.outline(raw.get("outline")),
            deleted=self.tombstones(raw.get("deleted")),
            extra={k: v for k, v in raw.items() if k not in _KNOWN_TOP},
            speakers=raw.get("speakers"),
            version=FORMAT_VERSION,
        )

    def document(self, raw: Any) -> DocumentRef:
        if raw is None:
            return DocumentRef()
        if not isinstance(raw, dict):
            raise self.fail("'document'", f"must be a mapping (got {_kind(raw)})")
        values = {}
        for key in _KNOWN_DOC:
            value = raw.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise self.fail(f"'document.{key}'", f"must be text (got {_show(value)})")
            values[key] = value
        return DocumentRef(**values, extra={k: v for k, v in raw.items() if k not in _KNOWN_DOC})

    def colors(self, raw: Any) -> dict[str, str]:
        if raw is None:
            return dict(DEFAULT_COLOR_MEANINGS)
        if not isinstance(raw, dict):
            raise self.fail("'colors'", f"must be a mapping of colour key to meaning (got {_kind(raw)})")
        result = {}
        for key, value in raw.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise self.fail(f"'colors.{key}'", f"key and meaning must be text (got {_show(value)})")
            result[key] = value
        return result

    def outline(self, raw: Any) -> list[dict[str, Any]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.fail("'outline'", f"must be a list (got {_kind(raw)})")
        for number, item in enumerate(raw):
            where = f"outline[{number}]"
            if not isinstance(item, dict):
                raise self.fail(where, f"must be a mapping (got {_kind(item)})")
            title = item.get("title")
            if title is not None and not isinstance(title, str):
                raise self.fail(where, f"field 'title' must be text (got {_show(title)})")
            keywords = item.get("keywords")
            if keywords is not None and (
                not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords)
            ):
                raise self.fail(where, f"field 'keywords' must be a list of text (got {_show(keywords)})")
            start = item.get("start")
            if start is not None:
                if not isinstance(start, dict):
                    raise self.fail(
                        where,
                        f"field 'start' must be a mapping with start, end and exact (got {_kind(start)})",
                    )
                first, last = (
                    self.offset(where, start, "start", "start."),
                    self.offset(where, start, "end", "start."),
                )
                if last < first:
                    raise self.fail(
                        where, f"field 'start.end' ({last}) must not be before 'start.start' ({first})"
                    )
                for key in ("exact", "prefix", "suffix"):
                    value = start.get(key, "")
                    if value is not None and not isinstance(value, str):
                        raise self.fail(where, f"field 'start.{key}' must be text (got {_show(value)})")
        return raw

    def tombstones(self, raw: Any) -> list[Tombstone]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.fail("'deleted'", f"must be a list (got {_kind(raw)})")
        result = []
        for number, item in enumerate(raw):
            where = f"deleted[{number}]"
            if not isinstance(item, dict):
                raise self.fail(where, f"must be a mapping with 'id' and 'deleted' (got {_kind(item)})")
            ident = item.get("id")
            if not isinstance(ident, str) or not ident.strip():
                raise self.fail(where, f"field 'id' must be non-empty text (got {_show(ident)})")
            result.append(
                Tombstone(ident, self.timestamp(f"{where} (id {ident})", "deleted", item.get("deleted")))
            )
        return result

    def annotations(self, raw: Any) -> list[Annotation]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.fail("'annotations'", f"must be a list (got {_kind(raw)})")
        result: list[Annotation] = []
        seen: dict[str, int] = {}
        for number, item in enumerate(raw):
            entry = self.entry(number, item)
            if entry.id in seen:
                raise self.fail(
                    f"annotations[{number}] (id {entry.id})",
                    f"field 'id' repeats annotations[{seen[entry.id]}]",
                )
            seen[entry.id] = number
            result.append(entry)
        return result

    def entry(self, number: int, raw: Any) -> Annotation:
        where = f"annotations[{number}]"
        if not isinstance(raw, dict):
            raise self.fail(where, f"must be a mapping (got {_kind(raw)})")
        ident = raw.get("id")
        if not isinstance(ident, str) or not ident.strip():
            raise self.fail(where, f"field 'id' must be non-empty text (got {_show(ident)})")
        where = f"{where} (id {ident})"
        color = raw.get("color")
        if not isinstance(color, str) or not color.strip():
            raise self.fail(
                where, f"field 'color' must be a colour key such as 'yellow' (got {_show(color)})"
            )
        note = raw.get("note", "")
        note = "" if note is None else note
        if not isinstance(note, str):
            raise self.fail(where, f"field 'note' must be text (got {_show(note)})")
        tags = raw.get("tags", [])
        tags = [] if tags is None else tags
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise self.fail(where, f"field 'tags' must be a list of text (got {_show(tags)})")
        return Annotation(
            id=ident,
            color=color,
            created=self.timestamp(where, "created", raw.get("created")),
            updated=self.timestamp(where, "updated", raw.get("updated", raw.get("created"))),
            target=self.target(where, raw.get("target")),
            note=note,
            tags=_tags_tuple(tags),
            extra={}
            if raw.keys() <= _KNOWN_ENTRY_SET
            else {k: v for k, v in raw.items() if k not in _KNOWN_ENTRY},
        )

    def target(self, where: str, raw: Any) -> Target:
        if not isinstance(raw, dict):
            raise self.fail(
                where, f"field 'target' must be a mapping with start, end and exact (got {_kind(raw)})"
            )
        start, end = self.offset(where, raw, "start"), self.offset(where, raw, "end")
        if end <= start:
            raise self.fail(
                where, f"field 'target.end' ({end}) must be greater than 'target.start' ({start})"
            )
        texts = {}
        for key in ("exact", "prefix", "suffix"):
            value = raw.get(key, "")
            value = "" if value is None else value
            if not isinstance(value, str):
                raise self.fail(where, f"field 'target.{key}' must be text (got {_show(value)})")
            texts[key] = value
        if not texts["exact"]:
            raise self.fail(where, "field 'target.exact' (the quoted text) is missing or empty")
        extra = (
            {}
            if raw.keys() <= _KNOWN_TARGET_SET
            else {k: v for k, v in raw.items() if k not in _KNOWN_TARGET}
        )
        return Target(start, end, texts["exact"], texts["prefix"], texts["suffix"], extra)

    def offset(self, where: str, raw: dict[str, Any], key: str, prefix: str = "target.") -> int:
        value = raw.get(key)
        if not _is_int(value) or not 0 <= value <= MAX_OFFSET:
            raise self.fail(
                where,
                f"field '{prefix}{key}' must be a whole number from 0 to {MAX_OFFSET} (got {_show(value)})",
            )
        return value

    def timestamp(self, where: str, key: str, value: Any) -> str:
        if type(value) is str and value in self.stamps:
            return value
        if type(value) is str and _CANONICAL_STAMP.match(value):
            try:
                datetime.fromisoformat(value[:-1])  # a real date and time: the string is already canonical
            except ValueError:
                pass
            else:
                if len(self.stamps) < 100_000:
                    self.stamps.add(value)
                return value
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
        try:
            return format_timestamp(parse_timestamp(value))
        except (ValueError, TypeError, OverflowError) as exc:
            raise self.fail(
                where, f"field '{key}' must be a UTC time like 2026-11-29T10:15:00Z (got {_show(value)})"
            ) from exc


def _tags_tuple(tags: list[str]) -> tuple[str, ...]:
    """``normalize_tags``, without its work when the tags are already clean (as the app writes them)."""
    if not tags:
        return ()
    if len(set(tags)) == len(tags) and all(tag and tag == tag.strip() for tag in tags):
        return tuple(tags)
    return normalize_tags(tags)


_CANONICAL_STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.(?!000)[0-9]{3})?Z\Z"
)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------------------------- writing


class _Stamp(str):
    """A timestamp string written as a plain YAML scalar (``2026-11-29T10:15:00Z``, no quotes)."""


class _FlowList(list[Any]):
    """A short list written inline (``[quote, ai]``)."""


class _Dumper(_BaseDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # never write anchors/aliases: our own loader refuses them


def _represent_str(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(_Stamp, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", str(v)))
_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(str, _represent_str)


def to_data(content: AnnotationFile, with_annotations: bool = True) -> dict[str, Any]:
    """Plain data in the file's key order (annotations sorted by position, then id; an empty list without
    ``with_annotations``)."""
    doc = {
        "title": content.document.title,
        "sha256": content.document.sha256,
        "source": content.document.source,
    }
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "document": {**doc, **content.document.extra},
        "colors": dict(content.colors),
        "annotations": [_entry_data(a) for a in sorted(content.annotations, key=_position_key)]
        if with_annotations
        else [],
    }
    if content.deleted:
        data["deleted"] = [{"id": t.id, "deleted": _Stamp(t.deleted)} for t in content.deleted]
    data["outline"] = list(content.outline)
    if content.speakers is not None:
        data["speakers"] = content.speakers
    for key, value in content.extra.items():
        data.setdefault(key, value)
    return data


def _position_key(item: Annotation) -> tuple[int, int, str]:
    return (item.target.start, item.target.end, item.id)


def _entry_data(item: Annotation) -> dict[str, Any]:
    target = item.target
    entry: dict[str, Any] = {
        "id": item.id,
        "color": item.color,
        "created": _Stamp(item.created),
        "updated": _Stamp(item.updated),
        "target": {
            "start": target.start,
            "end": target.end,
            "exact": target.exact,
            "prefix": target.prefix,
            "suffix": target.suffix,
            **target.extra,
        },
        "note": item.note,
        "tags": _FlowList(item.tags),
    }
    for key, value in item.extra.items():
        entry.setdefault(key, value)
    return entry


def dump(content: AnnotationFile) -> str:
    """The YAML text of ``content``: block style, UTF-8 characters as-is, stable key order.

    Emits events straight to the (C) emitter; the output is the same as ``yaml.dump`` with our dumper
    (see :func:`_dump_with_representer`), about three times faster.
    """
    data = to_data(content, with_annotations=False)
    head = _emit(data)
    if not content.annotations:
        return head
    parts = []
    for item in sorted(content.annotations, key=_position_key):
        target = item.target
        text = (
            None
            if item.extra or target.extra
            else fastyaml.fields_text(
                item.id,
                item.color,
                item.created,
                item.updated,
                target.start,
                target.end,
                target.exact,
                target.prefix,
                target.suffix,
                item.note,
                item.tags,
                _resolves_to_str,
            )
        )
        if text is None:  # LibYAML for an unusual entry
            entry = _entry_data(item)
            text = _emit([entry])
            if text.endswith("\n...\n"):  # a "|+" block: LibYAML's "..." at the end depends on what follows
                return _emit(to_data(content))
        parts.append(text)
    marker = "\nannotations: []\n"
    at = head.index(marker) + 1
    return head[:at] + "annotations:\n" + "".join(parts) + head[at + len(marker) - 1 :]


def _emit(value: Any) -> str:
    events: list[Any] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _value_events(value, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    return str(yaml.emit(events, Dumper=_Dumper, allow_unicode=True, width=_WIDTH))


_WIDTH = 110


def value_bytes(value: Any) -> int:
    """The size of ``value`` written as YAML (UTF-8 bytes), to estimate how a change grows the file."""
    events: list[Any] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _value_events(value, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    return len(yaml.emit(events, Dumper=_Dumper, allow_unicode=True, width=_WIDTH).encode("utf-8"))


def entry_bytes(annotation: Annotation) -> int:
    """About what ``annotation`` takes in the file (its entry in the ``annotations`` list)."""
    return value_bytes([_entry_data(annotation)]) + 2


_PLAIN_TAGS: dict[type, str] = {int: "tag:yaml.org,2002:int", bool: "tag:yaml.org,2002:bool"}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


def _value_events(value: Any, out: list[Any]) -> None:
    kind = type(value)
    if kind is str:
        plain = _EventBuilder._resolve(value) == _STR_TAG
        out.append(yaml.ScalarEvent(None, None, (plain, True), value, style="|" if "\n" in value else None))
    elif kind is _Stamp:
        out.append(yaml.ScalarEvent(None, None, (True, False), str(value)))
    elif kind is dict:
        out.append(yaml.MappingStartEvent(None, None, True, flow_style=False))
        for key, item in value.items():
            _value_events(key, out)
            _value_events(item, out)
        out.append(yaml.MappingEndEvent())
    elif kind is list or kind is _FlowList:
        out.append(yaml.SequenceStartEvent(None, None, True, flow_style=kind is _FlowList))
        for item in value:
            _value_events(item, out)
        out.append(yaml.SequenceEndEvent())
    elif kind is int or value is None:
        out.append(yaml.ScalarEvent(None, None, (True, False), "null" if value is None else str(value)))
    elif kind is bool:
        out.append(yaml.ScalarEvent(None, None, (True, False), "true" if value else "false"))
    else:  # floats, dates, bytes, sets... in preserved fields: PyYAML's representer
        _node_events(_REPRESENTER.represent_data(value), out)


def _node_events(node: Any, out: list[Any]) -> None:
    if isinstance(node, yaml.ScalarNode):
        implicit = (node.tag == _EventBuilder._resolve(node.value), node.tag == _STR_TAG)
        out.append(yaml.ScalarEvent(None, node.tag, implicit, node.value, style=node.style))
    elif isinstance(node, yaml.SequenceNode):
        out.append(yaml.SequenceStartEvent(None, node.tag, node.tag == _SEQ_TAG, flow_style=node.flow_style))
        for item in node.value:
            _node_events(item, out)
        out.append(yaml.SequenceEndEvent())
    else:
        out.append(yaml.MappingStartEvent(None, node.tag, node.tag == _MAP_TAG, flow_style=node.flow_style))
        for key, item in node.value:
            _node_events(key, out)
            _node_events(item, out)
        out.append(yaml.MappingEndEvent())


class _Representer(yaml.representer.SafeRepresenter):
    def ignore_aliases(self, data: Any) -> bool:
        return True


_REPRESENTER = _Representer(default_flow_style=False, sort_keys=False)


def _dump_with_representer(content: AnnotationFile) -> str:
    """The reference output: PyYAML's representer and serializer (slower); tests compare the two."""
    return str(
        yaml.dump(
            to_data(content),
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=_WIDTH,
        )
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def save(path: str | os.PathLike[str], content: AnnotationFile) -> FileStamp:
    """Write atomically (temp file, fsync, ``.bak`` of the previous version, ``os.replace``, folder fsync).

    A symbolic link is written through: its target is replaced (atomically, in the target's folder) and the
    link stays. The file keeps its permission bits; a read-only file is refused, and so is content over
    :data:`MAX_FILE_BYTES` (which :func:`load` would refuse). A file with other hard links is replaced like
    any other (atomicity first): the other names keep the previous version, and a warning is logged.
    On failure (e.g. a full disk) the previous file is left untouched and :class:`AnnotationFileError` is
    raised. Sets and returns ``content.stamp``.
    """
    target = real_path(path)
    data = dump(content).encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise AnnotationFileError(target, too_big_to_save(len(data)))
    existing = _existing(target)
    mode = check_writable(target, existing)
    if existing is not None and existing.st_nlink > 1:
        logger.warning(
            "%s has %d hard links; the others keep the previous version", target, existing.st_nlink
        )
    folder = target.parent
    temp = folder / f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(folder, target.name)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        try:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if existing is not None:
            _keep_backup(target)
        os.replace(temp, target)
    except OSError as exc:
        _remove_quietly(temp)
        raise AnnotationFileError(target, _save_failure(exc)) from exc
    _fsync_folder(folder)
    stat = os.stat(target)
    content.stamp = FileStamp(stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())
    return content.stamp


def real_path(path: str | os.PathLike[str]) -> Path:
    """The file a path names, symbolic links followed (the path itself if it cannot be resolved)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(path)


def _existing(target: Path) -> os.stat_result | None:
    try:
        return os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnnotationFileError(target, _save_failure(exc)) from exc


def check_writable(target: Path, existing: os.stat_result | None) -> int | None:
    """The permission bits to keep (None: a new file); refuses a file that is not a regular file or is
    read-only (no write permission for its owner, or none for us)."""
    if existing is None:
        return None
    if not stat_module.S_ISREG(existing.st_mode):
        raise AnnotationFileError(target, "not saved: this is not a regular file")
    mode = stat_module.S_IMODE(existing.st_mode)
    if not mode & stat_module.S_IWUSR or not os.access(target, os.W_OK):
        raise AnnotationFileError(
            target,
            "not saved: the file is read-only. Make it writable (or choose another place to save) and your "
            "highlights will be saved; they are kept in memory meanwhile",
        )
    return mode


def too_big_to_save(size: int) -> str:
    """The refusal of a save that would write ``size`` bytes."""
    return (
        f"not saved: the annotations would take {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
        "limit of annotation files (which could then not be opened); remove long notes or some highlights"
    )


def _save_failure(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "no permission to write there"
    else:
        reason = exc.strerror or str(exc)
    return f"could not save the annotations ({reason}); the previous file is unchanged"


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where :func:`save` keeps the previous version: ``<name>.bak`` next to the file."""
    target = Path(path)
    return target.with_name(target.name + ".bak")


def _keep_backup(target: Path) -> None:
    """Point ``<name>.bak`` at the current file (hard link, else copy), atomically. Failures only log."""
    temp = target.with_name(f".{target.name}.bak.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        try:
            os.link(target, temp)
        except OSError:
            shutil.copy2(target, temp)
        os.replace(temp, backup_path(target))
    except OSError as exc:
        _remove_quietly(temp)
        logger.warning("could not keep a backup of %s: %s", target, exc)


def _remove_stale_temps(folder: Path, name: str) -> None:
    limit = time.time() - STALE_TEMP_SECONDS
    for leftover in folder.glob(f".{name}.*.tmp"):
        with contextlib.suppress(OSError):  # another process may be removing it too
            if leftover.stat().st_mtime < limit:
                leftover.unlink()


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder
        return
    try:
        with contextlib.suppress(
            OSError
        ):  # some file systems cannot sync a folder; the data is synced already
            os.fsync(fd)
    finally:
        os.close(fd)


def changed_on_disk(path: str | os.PathLike[str], stamp: FileStamp | None) -> bool:
    """True if the file differs from what we last loaded or saved (``stamp``; None: we saw no file)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return stamp is not None
    if stamp is None:
        return True
    if (stat.st_mtime_ns, stat.st_size) == (stamp.mtime_ns, stamp.size):
        return False
    try:
        with open(_open_regular(path), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, AnnotationFileError):
        return True
    return hashlib.sha256(data).hexdigest() != stamp.sha256


# --------------------------------------------------------------------------------------------- merging


def merge(ours: AnnotationFile, theirs: AnnotationFile, base: AnnotationFile | None = None) -> AnnotationFile:
    """Combine two versions of a file by annotation id.

    With ``base`` (the version both started from) the merge is three-way and per field: a field (colour,
    note, tags, target, unknown fields) changed on one side only takes that side's value, whatever the
    ``updated`` stamps say (a text editor does not bump them); a field changed on both sides takes the side
    with the newer ``updated`` (ties: ours). An annotation deleted on one side (tombstone, or dropped by hand)
    stays deleted if the other side left it unchanged, and comes back if the other side edited it (no edit is
    lost). Colour meanings and unknown fields merge per key the same way; the outline (one list of chapters)
    and the speaker corrections each take the side that changed them (both: ours).

    Without a base (or for an id the base does not hold) the newest ``updated`` wins (ties: ours), and a
    tombstone beats an edit unless the edit is newer; colours/outline/unknown fields: ours.
    """
    tombs: dict[str, Tombstone] = {}
    for tomb in [*theirs.deleted, *ours.deleted]:
        old = tombs.get(tomb.id)
        if old is None or parse_timestamp(tomb.deleted) > parse_timestamp(old.deleted):
            tombs[tomb.id] = tomb
    mine = {a.id: a for a in ours.annotations}
    other = {a.id: a for a in theirs.annotations}
    based = {a.id: a for a in base.annotations} if base is not None else {}
    merged: list[Annotation] = []
    for ident in [*mine, *(i for i in other if i not in mine)]:
        kept = _merge_one(mine.get(ident), other.get(ident), based.get(ident), tombs.get(ident))
        if kept is None:
            continue
        tombs.pop(ident, None)  # kept: an edit beat the deletion
        merged.append(kept)
    merged.sort(key=_position_key)
    if base is None:
        colors, outline, extra = ours.colors, ours.outline, {**theirs.extra, **ours.extra}
        speakers = ours.speakers if ours.speakers is not None else theirs.speakers
    else:
        colors = _merge_keys(ours.colors, theirs.colors, base.colors)
        outline = theirs.outline if ours.outline == base.outline else ours.outline
        speakers = theirs.speakers if ours.speakers == base.speakers else ours.speakers
        extra = _merge_keys(ours.extra, theirs.extra, base.extra)
    return AnnotationFile(
        document=ours.document,
        annotations=merged,
        colors=dict(colors),
        outline=copy.deepcopy(outline),
        deleted=sorted(tombs.values(), key=lambda t: t.id),
        extra=copy.deepcopy(extra),
        speakers=copy.deepcopy(speakers),
        stamp=None,
    )


_FIELDS = ("color", "note", "tags", "target", "extra")


def _same(one: Annotation, two: Annotation) -> bool:
    """Equal in every saved field but ``updated`` (which a hand edit does not bump)."""
    return (
        all(getattr(one, name) == getattr(two, name) for name in _FIELDS)
        and one.target.extra == two.target.extra
    )


def _merge_one(
    mine: Annotation | None, other: Annotation | None, base: Annotation | None, grave: Tombstone | None
) -> Annotation | None:
    """The merged version of one annotation (None: it stays deleted)."""
    if base is not None:
        if mine is None or other is None:
            present = mine if mine is not None else other
            assert present is not None
            if _same(present, base):
                return None  # deleted on one side, untouched on the other
            if grave is not None and parse_timestamp(grave.deleted) >= parse_timestamp(present.updated):
                return None  # deleted after the last edit stamped on the other side
            return present  # edited on one side (after the deletion, or by hand), deleted on the other: kept
        return _merge_fields(mine, other, base)
    winner = _newest(mine, other)
    if grave is not None and parse_timestamp(grave.deleted) >= parse_timestamp(winner.updated):
        return None
    return winner


def _merge_fields(mine: Annotation, other: Annotation, base: Annotation) -> Annotation:
    if _same(mine, base):
        return mine if _same(other, base) else other
    if _same(other, base):
        return mine
    newer, older = (mine, other) if _newest(mine, other) is mine else (other, mine)
    changes: dict[str, Any] = {}
    for name in _FIELDS:
        value_new, value_old, value_base = getattr(newer, name), getattr(older, name), getattr(base, name)
        if name == "target":
            new_changed = value_new != value_base or value_new.extra != value_base.extra
            old_changed = value_old != value_base or value_old.extra != value_base.extra
        else:
            new_changed, old_changed = value_new != value_base, value_old != value_base
        changes[name] = value_old if old_changed and not new_changed else value_new
    if changes["target"] is older.target:
        changes["status"] = older.status
    return dataclasses.replace(newer, **changes)


def _merge_keys(ours: dict[str, Any], theirs: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Per key: the side that changed it (both: ours); a key removed on one side and unchanged on the other
    goes."""
    missing = object()
    result: dict[str, Any] = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        mine, other, was = ours.get(key, missing), theirs.get(key, missing), base.get(key, missing)
        value = other if mine == was else mine
        if value is not missing:
            result[key] = value
    return result


def _newest(mine: Annotation | None, other: Annotation | None) -> Annotation:
    if mine is None:
        assert other is not None
        return other
    if other is None or parse_timestamp(mine.updated) >= parse_timestamp(other.updated):
        return mine
    return other


_NO_BASE = object()


class AnnotationStore:
    """One document's annotations file: load, and save with a merge when someone else changed it.

    A file that failed to load is never overwritten by :meth:`save` (it raises instead); if the file
    changed on disk since we read it, :meth:`save` merges (three-way, with what we last read as the base)
    and writes the result, which it returns: the caller adopts it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.error: AnnotationFileError | None = None
        self._base: AnnotationFile | None = None

    @property
    def stamp(self) -> FileStamp | None:
        """Size and time of the file as last read or written (None before)."""
        return self._base.stamp if self._base is not None else None

    def load(self, document: DocumentRef | None = None) -> AnnotationFile:
        """The file's content, or a new empty one for ``document`` when there is no file yet."""
        if not self.path.exists():
            self.error = None
            self._base = None
            return AnnotationFile(document=document or DocumentRef())
        try:
            content = load(self.path)
        except AnnotationFileError as exc:
            self.error = exc
            raise
        self.error = None
        self._base = _snapshot(content)
        return content

    def changed_on_disk(self) -> bool:
        """True if someone else changed (or removed) the file since we last read or wrote it."""
        return changed_on_disk(self.path, self.stamp)

    def save(
        self, content: AnnotationFile, base: AnnotationFile | None | object = _NO_BASE
    ) -> AnnotationFile:
        """Write ``content`` (merged with an external change if there was one); returns what was written.

        ``base`` is the version of the file ``content`` was derived from (its ``stamp`` says which file
        state that was; None or a stamp-less base: no file yet). The file is merged in, three-way with that
        base, whenever it differs from it, so that whatever was written in between (by someone else, or by
        an earlier save whose result the caller has not adopted yet) is kept. Without ``base``: the last
        version this store read or wrote.
        """
        if self.error is not None:
            raise AnnotationFileError(
                self.path,
                f"not saved, because the file could not be read ({self.error.message}); it is kept as is",
            )
        derived_from = self._base if base is _NO_BASE else base
        assert derived_from is None or isinstance(derived_from, AnnotationFile)
        with _exclusive(real_path(self.path)):  # another app instance saving the same file waits for us
            stamp = derived_from.stamp if derived_from is not None else None
            if changed_on_disk(self.path, stamp) and self.path.exists():
                theirs = load(self.path)  # a broken file raises here and is not overwritten
                logger.info("%s changed on disk; merging", self.path)
                content = merge(content, theirs, derived_from)
            content = prune_tombstones(content)
            save(self.path, content)
        self._base = _snapshot(content)
        return content


def prune_tombstones(content: AnnotationFile, now: datetime | None = None) -> AnnotationFile:
    """``content`` without tombstones older than :data:`TOMBSTONE_DAYS` (the same object if none are)."""
    limit = (now or datetime.now(timezone.utc)) - timedelta(days=TOMBSTONE_DAYS)
    kept = [t for t in content.deleted if parse_timestamp(t.deleted) >= limit]
    if len(kept) == len(content.deleted):
        return content
    return dataclasses.replace(content, deleted=kept)


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An advisory lock (POSIX ``flock`` on a hidden ``.<name>.lock`` next to the file); a no-op elsewhere
    or when the lock file cannot be made."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _snapshot(content: AnnotationFile) -> AnnotationFile:
    """A copy that later in-place edits of ``content`` (colours, outline) cannot change."""
    return dataclasses.replace(
        content,
        annotations=list(content.annotations),
        colors=dict(content.colors),
        outline=copy.deepcopy(content.outline),
        deleted=list(content.deleted),
        extra=copy.deepcopy(content.extra),
        speakers=copy.deepcopy(content.speakers),
    )


# --------------------------------------------------------------------------------------------- lookup


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
        with open(_open_regular(path), "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                return None
            return _header_from_events(yaml.parse(handle, Loader=_Loader))
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
