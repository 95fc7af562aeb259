"""YAML scalars, shared by reading and writing: which parser, how a plain scalar resolves, how values are quoted.

Owns the choice of PyYAML's parser (:data:`LOADER`: LibYAML's ``CSafeLoader`` when PyYAML has it), implicit
tag resolution (:func:`resolve_tag`: what a plain, unquoted scalar such as ``yes``, ``1e3`` or
``2026-11-29`` reads as), :func:`resolves_to_str` (the writer quotes a text exactly when a plain reading
would not give text back) and :func:`show`, the way messages quote a value. No Qt here.
"""

from __future__ import annotations

from typing import Any

import yaml

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STR_TAG = "tag:yaml.org,2002:str"
_IMPLICIT_RESOLVERS: dict[Any, list[tuple[str, Any]]] = yaml.resolver.Resolver.yaml_implicit_resolvers


def resolve_tag(value: str) -> str:
    """The tag a plain (unquoted) scalar ``value`` resolves to (:data:`STR_TAG` for text)."""
    for tag, pattern in _IMPLICIT_RESOLVERS.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return STR_TAG


_RESOLVED: dict[str, bool] = {}


def resolves_to_str(value: str) -> bool:
    """A plain reading of ``value`` gives text (not a number, a date, true/false or null)."""
    known = _RESOLVED.get(value)
    if known is not None:
        return known
    result = resolve_tag(value) == STR_TAG
    if len(value) <= 24 and len(_RESOLVED) < 4096:  # colours, tags: few and repeated
        _RESOLVED[value] = result
    return result


def show(value: Any) -> str:
    """``value`` as messages quote it: its ``repr``, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
