"""Combining two versions of an annotations file: :func:`merge` by annotation id, and tombstone pruning.

Owns the merge rules (three-way and per field when the common base is known, else the newest ``updated``
wins), how deletions (tombstones) and edits meet, and :func:`prune_tombstones`, which forgets deletions
older than :data:`TOMBSTONE_DAYS`. Pure functions on :class:`AnnotationFile` values. No Qt here.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any

from desktop_app.annotations.file_model import AnnotationFile, position_key
from desktop_app.annotations.model import Annotation, Tombstone, parse_timestamp

TOMBSTONE_DAYS = 90  # a deletion is remembered this long, so that merges do not bring the annotation back


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
    merged.sort(key=position_key)
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


def prune_tombstones(content: AnnotationFile, now: datetime | None = None) -> AnnotationFile:
    """``content`` without tombstones older than :data:`TOMBSTONE_DAYS` (the same object if none are)."""
    limit = (now or datetime.now(timezone.utc)) - timedelta(days=TOMBSTONE_DAYS)
    kept = [t for t in content.deleted if parse_timestamp(t.deleted) >= limit]
    if len(kept) == len(content.deleted):
        return content
    return dataclasses.replace(content, deleted=kept)
