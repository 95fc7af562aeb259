"""The annotations file's schema: plain YAML data checked field by field into an :class:`AnnotationFile`.

Owns the format check and version handling (a file from a newer app is refused with a message saying so),
the known fields at each level (unknown ones are kept in ``extra``), the rules per field (offsets, canonical
UTC time stamps, tags, colour meanings, the outline's anchors) and the messages, which name the entry and
the field (``annotations[3] (id …): field 'note' must be text``). Entry point: :func:`validate`. No Qt here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, TypeGuard

from desktop_app.annotations.colors import DEFAULT_COLOR_MEANINGS
from desktop_app.annotations.file_model import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_OFFSET,
    AnnotationFile,
    AnnotationFileError,
    DocumentRef,
)
from desktop_app.annotations.model import (
    Annotation,
    Target,
    Tombstone,
    format_timestamp,
    normalize_tags,
    parse_timestamp,
)
from desktop_app.annotations.yaml_scalars import show

if TYPE_CHECKING:
    import os


def validate(raw: Any, path: str | os.PathLike[str] = "<memory>") -> AnnotationFile:
    """The file's content from its constructed YAML data; raises :class:`AnnotationFileError`."""
    return _Validator(path).file(raw)


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
            raise self.fail("'version'", f"must be an integer (got {show(version)})")
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
                raise self.fail(f"'document.{key}'", f"must be text (got {show(value)})")
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
                raise self.fail(f"'colors.{key}'", f"key and meaning must be text (got {show(value)})")
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
                raise self.fail(where, f"field 'title' must be text (got {show(title)})")
            keywords = item.get("keywords")
            if keywords is not None and (
                not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords)
            ):
                raise self.fail(where, f"field 'keywords' must be a list of text (got {show(keywords)})")
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
                        raise self.fail(where, f"field 'start.{key}' must be text (got {show(value)})")
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
                raise self.fail(where, f"field 'id' must be non-empty text (got {show(ident)})")
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
            raise self.fail(where, f"field 'id' must be non-empty text (got {show(ident)})")
        where = f"{where} (id {ident})"
        color = raw.get("color")
        if not isinstance(color, str) or not color.strip():
            raise self.fail(where, f"field 'color' must be a colour key such as 'yellow' (got {show(color)})")
        note = raw.get("note", "")
        note = "" if note is None else note
        if not isinstance(note, str):
            raise self.fail(where, f"field 'note' must be text (got {show(note)})")
        tags = raw.get("tags", [])
        tags = [] if tags is None else tags
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise self.fail(where, f"field 'tags' must be a list of text (got {show(tags)})")
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
                raise self.fail(where, f"field 'target.{key}' must be text (got {show(value)})")
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
                f"field '{prefix}{key}' must be a whole number from 0 to {MAX_OFFSET} (got {show(value)})",
            )
        return value

    def timestamp(self, where: str, key: str, value: Any) -> str:
        if type(value) is str and value in self.stamps:
            return value
        if type(value) is str and _CANONICAL_STAMP.match(value) and _is_real_time(value[:-1]):
            if len(self.stamps) < 100_000:  # a real date and time: the string is already canonical
                self.stamps.add(value)
            return value
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
        try:
            return format_timestamp(parse_timestamp(value))
        except (ValueError, TypeError, OverflowError) as exc:
            raise self.fail(
                where, f"field '{key}' must be a UTC time like 2026-11-29T10:15:00Z (got {show(value)})"
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


def _is_real_time(text: str) -> bool:
    """Whether ``text`` (an ISO date and time without its zone) names a real moment ("2024-02-30T…" does not)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
