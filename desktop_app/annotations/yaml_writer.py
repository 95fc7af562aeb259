"""Writing an annotations file's text: :class:`AnnotationFile` to YAML, byte for byte stable.

Owns :func:`dump` (block style, UTF-8 characters as-is, the file's key order, annotations sorted by position
then id), :func:`to_data` (the plain data in that order, unknown fields kept), and the size estimates the
service checks before a change (:func:`value_bytes`, :func:`entry_bytes`). Entries in the canonical shape are
written by :mod:`fastyaml`; everything else goes as YAML events straight to the (C) emitter, with the same
bytes as ``yaml.dump`` with ``CSafeDumper`` (:func:`_dump_with_representer`, which tests compare against).
Writing the file to disk is :mod:`disk`. No Qt here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from desktop_app.annotations import fastyaml
from desktop_app.annotations.file_model import FORMAT_NAME, FORMAT_VERSION, AnnotationFile, position_key
from desktop_app.annotations.yaml_scalars import STR_TAG, resolve_tag, resolves_to_str

if TYPE_CHECKING:
    from desktop_app.annotations.model import Annotation

_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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
        "annotations": [_entry_data(a) for a in sorted(content.annotations, key=position_key)]
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
    for item in sorted(content.annotations, key=position_key):
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
                resolves_to_str,
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
        plain = resolve_tag(value) == STR_TAG
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
        implicit = (node.tag == resolve_tag(node.value), node.tag == STR_TAG)
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
