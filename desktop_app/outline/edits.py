"""The user's corrections to the automatic outline: rename, split, merge, move a boundary, reset.

Once edited, the outline is the user's: the whole chapter list is kept in the annotations file under
``outline:``, each chapter start anchored like an annotation (quote + context), so the edits survive a new
segmentation algorithm and light edits to the transcript. Pure functions over ``outline.Section`` lists.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from typing import TYPE_CHECKING, Any, TypeGuard

from desktop_app.timeline import chapter_at

if TYPE_CHECKING:  # outline.py imports numpy: keep it off the GUI's start-up path
    from collections.abc import Sequence

    from desktop_app.outline.section import Section

ANCHOR_CHARS = 48


class OutlineEditError(ValueError):
    """An edit that cannot be applied (message for the user)."""


def rename(sections: Sequence[Section], row: int, title: str) -> list[Section]:
    """The chapters with chapter ``row`` renamed (whitespace collapsed; an empty title is refused)."""
    title = " ".join(title.split())
    if not title:
        raise OutlineEditError("A chapter title cannot be empty.")
    _check_row(sections, row)
    result = list(sections)
    result[row] = dataclasses.replace(result[row], title=title)
    return result


def split(
    sections: Sequence[Section], offset: int, sentence_starts: Sequence[int], title: str = "New chapter"
) -> list[Section]:
    """Start a new chapter at the sentence that contains ``offset``."""
    starts = sorted(sentence_starts)
    i = bisect_right(starts, offset) - 1
    cut = starts[i] if i >= 0 else offset
    row = chapter_at(sections, cut)
    if row < 0 or cut <= sections[row].start:
        raise OutlineEditError("A chapter already starts here.")
    section = sections[row]
    first = dataclasses.replace(section, end=cut)
    second = dataclasses.replace(section, title=title, start=cut, keywords=())
    return [*sections[:row], first, second, *sections[row + 1 :]]


def merge_with_next(sections: Sequence[Section], row: int) -> list[Section]:
    """The chapters with chapter ``row`` and the next one made one (keywords of both, first six)."""
    _check_row(sections, row)
    if row + 1 >= len(sections):
        raise OutlineEditError("The last chapter has no next chapter to merge with.")
    first, second = sections[row], sections[row + 1]
    keywords = tuple(dict.fromkeys(first.keywords + second.keywords))[:6]
    merged = dataclasses.replace(first, end=second.end, keywords=keywords)
    return [*sections[:row], merged, *sections[row + 2 :]]


def move_start(
    sections: Sequence[Section], row: int, offset: int, sentence_starts: Sequence[int]
) -> list[Section]:
    """Move the start of chapter ``row`` (not the first) to the sentence containing ``offset``."""
    _check_row(sections, row)
    if row == 0:
        raise OutlineEditError("The first chapter always starts at the beginning.")
    starts = sorted(sentence_starts)
    i = bisect_right(starts, offset) - 1
    cut = starts[i] if i >= 0 else offset
    previous, section = sections[row - 1], sections[row]
    if not previous.start < cut < section.end:
        raise OutlineEditError("A chapter boundary can only move within its two neighbouring chapters.")
    result = list(sections)
    result[row - 1] = dataclasses.replace(previous, end=cut)
    result[row] = dataclasses.replace(section, start=cut)
    return result


def _check_row(sections: Sequence[Section], row: int) -> None:
    if not 0 <= row < len(sections):
        raise OutlineEditError(f"There is no chapter {row + 1}.")


# -- storage ------------------------------------------------------------------------------------


def to_records(sections: Sequence[Section], text: str) -> list[dict[str, Any]]:
    """YAML-ready records: title, keywords, and the chapter start anchored like an annotation."""
    from desktop_app.annotations.model import make_target  # the model loads after the first paint

    records = []
    for section in sections:
        end = min(len(text), section.start + ANCHOR_CHARS)
        target = make_target(text, section.start, end) if end > section.start else None
        record: dict[str, Any] = {"title": section.title, "keywords": list(section.keywords)}
        if target is not None:
            record["start"] = {
                "start": target.start,
                "end": target.end,
                "exact": target.exact,
                "prefix": target.prefix,
                "suffix": target.suffix,
            }
        records.append(record)
    return records


def from_records(records: Sequence[dict[str, Any]], text: str) -> list[Section] | None:
    """Re-anchor stored chapters on ``text``; chapters whose start is lost merge into the previous one.

    Returns ``None`` when the records hold no usable outline (then the automatic one is shown).
    """
    from desktop_app.outline.section import Section

    starts: list[tuple[int, str, tuple[str, ...]]] = []
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            continue
        raw_title = record.get("title")
        title = " ".join(raw_title.split()) if isinstance(raw_title, str) else ""
        title = title or f"Chapter {number + 1}"
        raw_keywords = record.get("keywords")
        keywords = (
            tuple(str(k) for k in raw_keywords if isinstance(k, str))
            if isinstance(raw_keywords, list)
            else ()
        )
        position = 0 if number == 0 else _anchored_start(record.get("start"), text)
        if position is None:
            continue
        starts.append((position, title, keywords))
    if not starts or not text:
        return None
    starts.sort(key=lambda item: item[0])
    starts[0] = (0, *starts[0][1:])
    unique: list[tuple[int, str, tuple[str, ...]]] = []
    for item in starts:
        if unique and item[0] <= unique[-1][0]:
            continue
        unique.append(item)
    bounds = [item[0] for item in unique] + [len(text)]
    return [
        Section(title, bounds[i], bounds[i + 1], keywords) for i, (_s, title, keywords) in enumerate(unique)
    ]


def _anchored_start(raw: Any, text: str) -> int | None:
    """Where a stored chapter start lies in ``text`` (None: malformed or not found)."""
    from desktop_app.annotations.model import AnchorStatus, Target, anchor

    if not isinstance(raw, dict):
        return None
    start, end, exact = raw.get("start"), raw.get("end"), raw.get("exact")
    prefix, suffix = raw.get("prefix", ""), raw.get("suffix", "")
    if not (_is_offset(start) and _is_offset(end) and isinstance(exact, str) and exact):
        return None
    target = Target(
        start=start,
        end=end,
        exact=exact,
        prefix=prefix if isinstance(prefix, str) else "",
        suffix=suffix if isinstance(suffix, str) else "",
    )
    result = anchor(text, target)
    if result.status is AnchorStatus.ORPHAN or not 0 <= result.start <= len(text):
        return None
    return result.start


MAX_OFFSET = 2**31 - 1


def _is_offset(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_OFFSET
