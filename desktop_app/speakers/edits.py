"""The user's corrections to who speaks: rename a speaker, give a paragraph to a speaker, split a turn.

They are kept in the annotations file under ``speakers:`` and applied on top of the speakers the file names
or the app inferred (:func:`apply_edits`), wherever speakers show::

    speakers:
      renames:                 # a speaker's name -> the name the user gave it, once for the whole document
        Guest: Mark Zuckerberg
      turns:                   # paragraphs given to a speaker, each anchored like a highlight
        - speaker: Lex Fridman
          split: false         # true: a new paragraph (a new turn) starts at the anchor
          at: {start: 1234, end: 1282, exact: "…", prefix: "…", suffix: "…"}

A turn's anchor is the first words of its paragraph (quote + context), so it survives a new segmentation and
light edits of the transcript; a turn whose words are gone is kept in the file and not applied. Entries this
version cannot read are kept as they are (:class:`SpeakerEdits` ``unreadable_*``) and reported, never dropped.
Pure functions, no Qt.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

from desktop_app.annotations.model import AnchorStatus, Target, anchor, make_target

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from desktop_app.readability.segmentation import Paragraph, Readable

ANCHOR_CHARS = 48
"""How much of a paragraph's start a turn quotes (as for the user's chapter starts)."""
MAX_NAME_CHARS = 80
MAX_OFFSET = 2**31 - 1
INTERRUPTION_MARK = "—"


class SpeakerEditError(ValueError):
    """A correction that cannot be made (the message is for the user)."""


@dataclass(frozen=True)
class TurnEdit:
    """The paragraph holding ``target``'s start is spoken by ``speaker``; ``split``: a paragraph starts there."""

    speaker: str
    target: Target
    split: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)  # fields this version does not know, kept


@dataclass(frozen=True)
class SpeakerEdits:
    """All the user's speaker corrections of one document (see the module docstring for the file form)."""

    renames: Mapping[str, str] = field(default_factory=dict)
    turns: tuple[TurnEdit, ...] = ()
    unreadable_renames: Mapping[Any, Any] = field(default_factory=dict)  # kept as they were, not applied
    unreadable_turns: tuple[Any, ...] = ()  # kept as they were, not applied
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown keys of ``speakers:``, kept

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing at all to keep."""
        return not (
            self.renames or self.turns or self.unreadable_renames or self.unreadable_turns or self.extra
        )


@dataclass(frozen=True)
class ReadEdits:
    """What :func:`edits_from_record` read: the corrections, what it could not read, and whether the app may
    write the ``speakers:`` entry back (not when its shape is unknown: it is kept exactly as it is then)."""

    edits: SpeakerEdits
    problems: tuple[str, ...] = ()
    writable: bool = True


# -- reading and writing the ``speakers:`` entry -------------------------------------------------------


def edits_from_record(raw: Any) -> ReadEdits:
    """Read the ``speakers:`` entry of an annotations file (None: absent); never raises."""
    if raw is None:
        return ReadEdits(SpeakerEdits())
    if not isinstance(raw, dict):
        return ReadEdits(
            SpeakerEdits(),
            (f"'speakers' must be a mapping with 'renames' and 'turns' (got {_kind(raw)}); it is ignored",),
            writable=False,
        )
    problems: list[str] = []
    renames, bad_renames, renames_ok = _read_renames(raw.get("renames"), problems)
    turns, bad_turns, turns_ok = _read_turns(raw.get("turns"), problems)
    extra = {k: v for k, v in raw.items() if k not in ("renames", "turns")}
    edits = SpeakerEdits(renames, turns, bad_renames, bad_turns, extra)
    return ReadEdits(edits, tuple(problems), writable=renames_ok and turns_ok)


def _read_renames(raw: Any, problems: list[str]) -> tuple[dict[str, str], dict[Any, Any], bool]:
    if raw is None:
        return {}, {}, True
    if not isinstance(raw, dict):
        problems.append(f"'speakers.renames' must be a mapping of name to new name (got {_kind(raw)})")
        return {}, {}, False
    good: dict[str, str] = {}
    bad: dict[Any, Any] = {}
    for old, new in raw.items():
        if isinstance(old, str) and isinstance(new, str) and clean_name(new):
            good[old] = clean_name(new)
        else:
            bad[old] = new
            problems.append(f"'speakers.renames.{old}': the new name must be text (got {_kind(new)})")
    return good, bad, True


def _read_turns(raw: Any, problems: list[str]) -> tuple[tuple[TurnEdit, ...], tuple[Any, ...], bool]:
    if raw is None:
        return (), (), True
    if not isinstance(raw, list):
        problems.append(f"'speakers.turns' must be a list (got {_kind(raw)})")
        return (), (), False
    good: list[TurnEdit] = []
    bad: list[Any] = []
    for number, item in enumerate(raw):
        try:
            good.append(_read_turn(item))
        except ValueError as error:
            bad.append(item)
            problems.append(f"'speakers.turns[{number}]': {error}")
    return tuple(good), tuple(bad), True


def _read_turn(item: Any) -> TurnEdit:
    if not isinstance(item, dict):
        raise ValueError(f"must be a mapping with speaker and at (got {_kind(item)})")
    speaker, split, at = item.get("speaker"), item.get("split", False), item.get("at")
    if not isinstance(speaker, str) or not clean_name(speaker):
        raise ValueError(f"field 'speaker' must be a name (got {_kind(speaker)})")
    if not isinstance(split, bool):
        raise ValueError(f"field 'split' must be true or false (got {_kind(split)})")
    if not isinstance(at, dict):
        raise ValueError(f"field 'at' must be a mapping with start, end and exact (got {_kind(at)})")
    start, end, exact = at.get("start"), at.get("end"), at.get("exact")
    prefix, suffix = at.get("prefix", ""), at.get("suffix", "")
    if not (_is_offset(start) and _is_offset(end) and start < end):
        raise ValueError(
            f"fields 'at.start' and 'at.end' must be offsets, start before end (got {start}, {end})"
        )
    if not (isinstance(exact, str) and exact and isinstance(prefix, str) and isinstance(suffix, str)):
        raise ValueError("fields 'at.exact', 'at.prefix' and 'at.suffix' must be text ('exact' not empty)")
    extra = {k: v for k, v in item.items() if k not in ("speaker", "split", "at")}
    known = ("start", "end", "exact", "prefix", "suffix")
    target = Target(start, end, exact, prefix, suffix, {k: v for k, v in at.items() if k not in known})
    return TurnEdit(clean_name(speaker), target, split, extra)


def edits_to_record(edits: SpeakerEdits) -> dict[str, Any]:
    """The ``speakers:`` entry for ``edits`` (empty when there is nothing to keep); unreadable parts as read."""
    record: dict[str, Any] = {}
    renames = {**dict(edits.renames), **dict(edits.unreadable_renames)}
    if renames:
        record["renames"] = renames
    turns = [_turn_record(turn) for turn in edits.turns] + list(edits.unreadable_turns)
    if turns:
        record["turns"] = turns
    for key, value in edits.extra.items():
        record.setdefault(key, value)
    return record


def _turn_record(turn: TurnEdit) -> dict[str, Any]:
    target = turn.target
    at = {
        "start": target.start,
        "end": target.end,
        "exact": target.exact,
        "prefix": target.prefix,
        "suffix": target.suffix,
        **target.extra,
    }
    record: dict[str, Any] = {"speaker": turn.speaker, "split": turn.split, "at": at}
    for key, value in turn.extra.items():
        record.setdefault(key, value)
    return record


# -- applying -----------------------------------------------------------------------------------------


def turn_positions(edits: SpeakerEdits, text: str) -> list[int | None]:
    """Where each turn's anchor lies in ``text`` now (None: its words are gone)."""
    positions: list[int | None] = []
    for turn in edits.turns:
        result = anchor(text, turn.target)
        found = result.status is not AnchorStatus.ORPHAN and 0 <= result.start < len(text)
        positions.append(result.start if found else None)
    return positions


def apply_edits(
    readable: Readable, text: str, edits: SpeakerEdits, positions: Sequence[int | None] | None = None
) -> Readable:
    """``readable`` with the user's corrections: turns split off, speakers renamed, paragraphs reassigned.

    ``readable`` carries the speakers the file names or the app inferred; renames apply to those, and a
    turn's speaker (a name as the user sees it) to the paragraph holding its anchor, later turns last.
    ``positions``: the turns' :func:`turn_positions` in ``text``, when already known.
    """
    if not edits.renames and not edits.turns:
        return readable
    if positions is None:
        positions = turn_positions(edits, text)
    cuts = sorted(
        {p for p, t in zip(positions, edits.turns, strict=True) if t.split and p is not None and p > 0}
    )
    paragraphs = split_paragraphs(readable.paragraphs, text, cuts)
    speakers = [edits.renames.get(p.speaker, p.speaker) if p.speaker else None for p in paragraphs]
    starts = [p.start for p in paragraphs]
    for position, turn in zip(positions, edits.turns, strict=True):
        number = bisect_right(starts, position) - 1 if position is not None else -1
        if number >= 0:
            speakers[number] = turn.speaker
    result = tuple(
        p if p.speaker == speaker else dataclasses.replace(p, speaker=speaker)
        for p, speaker in zip(paragraphs, speakers, strict=True)
    )
    capitalize = readable.capitalize
    if cuts and not readable.already_punctuated:
        capitalize = tuple(sorted({*capitalize, *(c for c in cuts if c in starts)}))
    return dataclasses.replace(readable, paragraphs=result, capitalize=capitalize)


def corrected_speaker(edits: SpeakerEdits, speaker: str | None, start: int, end: int, at: int) -> str | None:
    """Who speaks at offset ``at`` of the automatic paragraph ``[start, end)`` (spoken by ``speaker``), with
    the user's corrections, for places that keep the automatic paragraphs (the library's index).

    As :func:`apply_edits`: split turns inside the paragraph cut it into pieces, a rename applies to the
    automatic speaker, and a turn anchored in the piece holding ``at`` gives it its speaker (later turns
    last). Anchors are taken as stored (the same text: the library keeps documents by their sha256).
    """
    cuts = [t.target.start for t in edits.turns if t.split and start < t.target.start < end]
    piece_start = max((c for c in cuts if c <= at), default=start)
    piece_end = min((c for c in cuts if c > at), default=end)
    name = edits.renames.get(speaker, speaker) if speaker else None
    for turn in edits.turns:
        if piece_start <= turn.target.start < piece_end:
            name = turn.speaker
    return name


def split_paragraphs(
    paragraphs: Sequence[Paragraph], text: str, cuts: Sequence[int]
) -> tuple[Paragraph, ...]:
    """``paragraphs`` with a new paragraph starting at each cut strictly inside one (a sentence the cut falls
    in is split too: its first part ends at the last word before the cut, with a dash: it was cut off)."""
    if not cuts:
        return tuple(paragraphs)
    result: list[Paragraph] = []
    ordered = sorted(cuts)
    for paragraph in paragraphs:
        inside = [c for c in ordered if paragraph.start < c < paragraph.end]
        result.extend(_split_one(paragraph, text, inside) if inside else [paragraph])
    return tuple(result)


def _split_one(paragraph: Paragraph, text: str, cuts: list[int]) -> list[Paragraph]:
    from desktop_app.readability.segmentation import Paragraph, Sentence

    groups: list[list[Sentence]] = [[]]
    pending = list(cuts)
    for sentence in paragraph.sentences:
        current = sentence
        while pending and pending[0] < current.end:
            cut = pending.pop(0)
            if cut > current.start:
                head_end = _end_before(text, current.start, cut)
                groups[-1].append(Sentence(current.start, head_end, _cut_off_mark(text, head_end)))
                current = Sentence(cut, current.end, current.mark)
            groups.append([])
        groups[-1].append(current)
    return [
        Paragraph(group[0].start, group[-1].end, tuple(group), paragraph.speaker) for group in groups if group
    ]


def _cut_off_mark(text: str, end: int) -> str:
    """The mark of a sentence cut off by another speaker: a dash, as transcripts write an interruption
    ("and then we—"), unless the text already ends it with punctuation."""
    return "" if not text[end - 1].isalnum() else INTERRUPTION_MARK


def _end_before(text: str, start: int, cut: int) -> int:
    """The end of the last word in ``text[start:cut]`` (``start`` + 1 at least)."""
    end = cut
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return end


# -- the corrections the user makes ---------------------------------------------------------------------


def clean_name(name: str) -> str:
    """A speaker's name as kept: whitespace collapsed, at most :data:`MAX_NAME_CHARS` characters."""
    return " ".join(name.split())[:MAX_NAME_CHARS]


def _checked_name(name: str) -> str:
    cleaned = clean_name(name)
    if not cleaned:
        raise SpeakerEditError("A speaker's name cannot be empty.")
    return cleaned


def rename(edits: SpeakerEdits, old: str, new: str, base_names: Sequence[str]) -> SpeakerEdits:
    """Call speaker ``old`` (a name as shown) ``new`` everywhere in the document.

    ``base_names``: the speakers before the user's corrections (the file's or the inferred ones).
    """
    new = _checked_name(new)
    if new == old:
        raise SpeakerEditError(f"The speaker is already called {old}.")
    shown = {edits.renames.get(n, n) for n in base_names} | {t.speaker for t in edits.turns}
    if old not in shown:
        raise SpeakerEditError(f"There is no speaker called {old}.")
    renames = {base: (new if shown_as == old else shown_as) for base, shown_as in edits.renames.items()}
    if old in base_names and old not in edits.renames:
        renames[old] = new
    renames = {base: shown_as for base, shown_as in renames.items() if base != shown_as}
    turns = tuple(dataclasses.replace(t, speaker=new) if t.speaker == old else t for t in edits.turns)
    return dataclasses.replace(edits, renames=renames, turns=turns)


def assign(edits: SpeakerEdits, text: str, readable: Readable, offset: int, speaker: str) -> SpeakerEdits:
    """Give the paragraph holding ``offset`` to ``speaker``; ``readable``: with the corrections applied."""
    speaker = _checked_name(speaker)
    paragraph = _paragraph_at(readable, offset)
    if paragraph.speaker == speaker:
        raise SpeakerEditError(f"{speaker} already speaks this paragraph.")
    turns: list[TurnEdit] = []
    done = False
    for position, turn in zip(turn_positions(edits, text), edits.turns, strict=True):
        if position is not None and paragraph.start <= position < paragraph.end:
            if turn.split and position == paragraph.start and not done:
                turn, done = dataclasses.replace(turn, speaker=speaker), True  # the turn it starts
            elif not turn.split:
                continue  # an earlier reassignment of this paragraph
        turns.append(turn)
    if not done:
        turns.append(TurnEdit(speaker, _anchor_at(text, paragraph.start)))
    return dataclasses.replace(edits, turns=tuple(turns))


def split_turn(edits: SpeakerEdits, text: str, readable: Readable, offset: int, speaker: str) -> SpeakerEdits:
    """Start a new paragraph spoken by ``speaker`` at the word holding ``offset`` (or the next word).

    At the start of a paragraph this gives the paragraph to ``speaker``.
    """
    speaker = _checked_name(speaker)
    cut = word_start(text, offset)
    paragraph = _paragraph_at(readable, cut)
    if cut <= paragraph.start:
        return assign(edits, text, readable, cut, speaker)
    if cut >= paragraph.end:
        raise SpeakerEditError("Put the cursor on the word where the new turn starts.")
    return dataclasses.replace(
        edits, turns=(*edits.turns, TurnEdit(speaker, _anchor_at(text, cut), split=True))
    )


def word_start(text: str, offset: int) -> int:
    """The start of the word holding ``offset``, or of the next word when ``offset`` is between words."""
    offset = max(0, min(offset, len(text)))
    if offset < len(text) and not text[offset].isspace():
        while offset > 0 and not text[offset - 1].isspace():
            offset -= 1
        return offset
    while offset < len(text) and text[offset].isspace():
        offset += 1
    return offset


def _paragraph_at(readable: Readable, offset: int) -> Paragraph:
    paragraphs = readable.paragraphs
    number = bisect_right([p.start for p in paragraphs], offset) - 1
    if not paragraphs:
        raise SpeakerEditError("There is no paragraph here.")
    return paragraphs[max(0, number)]


def _anchor_at(text: str, start: int) -> Target:
    end = min(len(text), start + ANCHOR_CHARS)
    if end <= start:
        raise SpeakerEditError("There is no text here.")
    return make_target(text, start, end)


def _is_offset(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_OFFSET


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else type(value).__name__
