"""Reading an annotations file's text: YAML parsed defensively into plain data, then validated.

Owns :func:`parse`. The (C, when PyYAML has LibYAML) parser's event stream is turned into plain data by a
one-pass builder that refuses aliases/anchors, several documents, repeated keys and nesting deeper than
:data:`MAX_DEPTH` levels as it goes (an alias bomb or 10,000 nested lists never reaches a constructor). The
``annotations:`` block in the canonical shape the app writes is read by :mod:`fastyaml`; unusual YAML
(explicit tags, complex or merge keys) falls back to a full scan, then ``CSafeLoader``. Every failure becomes
:class:`AnnotationFileError`; the schema check is :mod:`schema`. Reading files from disk is :mod:`disk`.
No Qt here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from desktop_app.annotations import fastyaml, file_model
from desktop_app.annotations.file_model import MAX_DEPTH, AnnotationFile, AnnotationFileError
from desktop_app.annotations.schema import validate
from desktop_app.annotations.yaml_scalars import LOADER, STR_TAG, resolve_tag, resolves_to_str, show

if TYPE_CHECKING:
    import os


def parse(data: bytes | str, path: str | os.PathLike[str] = "<memory>") -> AnnotationFile:
    """Validate YAML text (bytes are decoded as UTF-8) into an :class:`AnnotationFile`."""
    if isinstance(data, bytes):
        if len(data) > file_model.MAX_FILE_BYTES:
            raise AnnotationFileError(path, file_model.too_big_to_load(len(data)))
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
            raw = yaml.load(text, Loader=LOADER)
        except (yaml.YAMLError, RecursionError, ValueError, OverflowError, TypeError, ArithmeticError) as exc:
            raise AnnotationFileError(path, f"not valid YAML: {_reason(exc)}") from exc
    return validate(raw, path)


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
    entries = fastyaml.parse_entries(text[start:end], resolves_to_str, str)
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


def _scan_events(text: str, path: str | os.PathLike[str]) -> None:
    """Refuse aliases, anchors, several documents, deep nesting and repeated keys before anything is
    constructed."""
    depth = 0
    documents = 0
    keys: list[set[str] | None] = []  # per open collection: the plain keys seen (None: a sequence)
    expect_key: list[bool] = []
    try:
        event: Any
        for event in yaml.parse(text, Loader=LOADER):
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
                        path, f"line {line}: the key {show(event.value)} appears twice in the same mapping"
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
            for event in yaml.parse(text, Loader=LOADER):
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
                raise self._refuse(event, f"{where}the key {show(value)} appears twice in the same mapping")
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
            tag = (event.tag or resolve_tag(event.value)).rsplit(":", 1)[-1]
            raise self._refuse(
                event, f"{_where(stack)}the value {show(event.value)} is not a valid {tag} ({_reason(exc)})"
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
            tag = resolve_tag(value)
            result = value if tag == STR_TAG else self._construct(tag, value)
            self.cache[value] = result
            return result
        if tag == STR_TAG:
            return value
        return self._construct(tag, value)

    @staticmethod
    def _construct(tag: str, value: str) -> Any:
        if tag not in _SCALAR_TAGS:
            raise _Unusual  # merge keys, '=' values, custom tags
        node = yaml.ScalarNode(tag, value)
        return _SCALAR_CONSTRUCTOR.yaml_constructors[tag](_SCALAR_CONSTRUCTOR, node)
