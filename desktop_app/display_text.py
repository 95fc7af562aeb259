"""The text the reader shows, and the one map between its positions and document offsets.

The reader may display more than the document text: capitals at sentence starts, inserted ``.``/``?``/``,``,
and paragraph breaks. :class:`DisplayMap` is the only object that knows about display positions
(design.md §2). Display text is the paragraphs joined by ``"\\n"``, so a ``QTextDocument`` built with
``setPlainText`` has exactly the same positions, and block *i* is paragraph *i*.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, NewType

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.readability.segmentation import Readable

DocOffset = NewType("DocOffset", int)
"""An index into the document text (design.md §2), as opposed to a position in the reader's display text."""


class DisplayMap:
    """Piecewise translation between display positions and document offsets.

    The display is a sequence of *runs* copied from the document (possibly with characters replaced by
    others of the same length, e.g. capitals) separated by inserted characters. ``display_starts[i]`` and
    ``doc_starts[i]`` are where run *i* begins in each text and ``lengths[i]`` is its length.
    """

    def __init__(
        self,
        display_starts: list[int],
        doc_starts: list[int],
        lengths: list[int],
        display_length: int,
        doc_length: int,
    ) -> None:
        self._display_starts = display_starts
        self._doc_starts = doc_starts
        self._lengths = lengths
        self.display_length = display_length
        self.doc_length = doc_length

    @classmethod
    def identity(cls, length: int) -> DisplayMap:
        """The map of a text shown as it is (a placeholder message)."""
        return cls([0], [0], [length], length, length)

    def to_doc(self, position: int) -> DocOffset:
        """The document offset at a display position (inserted characters map to the end of the run before)."""
        if not self._display_starts:
            return DocOffset(0)
        i = max(0, bisect_right(self._display_starts, position) - 1)
        inside = min(max(position - self._display_starts[i], 0), self._lengths[i])
        return DocOffset(self._doc_starts[i] + inside)

    def to_display(self, offset: int, is_end: bool = False) -> int:
        """The display position of a document offset (offsets in skipped whitespace map to the run's end).

        Where text is inserted at ``offset`` (a "." after a sentence), a start maps after the insertion and an
        end (``is_end``) before it, so that a range covers exactly its own words.
        """
        if not self._doc_starts:
            return 0
        find = bisect_left if is_end else bisect_right
        i = max(0, find(self._doc_starts, offset) - 1)
        inside = min(max(offset - self._doc_starts[i], 0), self._lengths[i])
        return self._display_starts[i] + inside

    def range_to_doc(self, start: int, end: int) -> tuple[DocOffset, DocOffset]:
        """The document range of a display range (in either order)."""
        a, b = sorted((start, end))
        return self.to_doc(a), self.to_doc(b)

    def range_to_display(self, start: int, end: int) -> tuple[int, int]:
        """The display range covering exactly the words of a document range."""
        a, b = sorted((start, end))
        return self.to_display(a), max(self.to_display(a), self.to_display(b, is_end=True))


@dataclass(frozen=True)
class DisplayText:
    """The reader's text, its paragraphs' display starts, and the map back to the document."""

    text: str
    paragraph_starts: tuple[int, ...]  # display position of each paragraph (block) start
    map: DisplayMap
    labels: tuple[tuple[int, int], ...] = ()  # display ranges of speaker labels (not document text)


class _Builder:
    """Accumulates display text run by run, recording the map as it goes."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.parts: list[str] = []
        self.length = 0
        self.display_starts: list[int] = []
        self.doc_starts: list[int] = []
        self.lengths: list[int] = []

    def copy(self, start: int, end: int, text: str | None = None) -> None:
        """Copy ``doc[start:end]`` (or a same-length replacement ``text``) as one run."""
        if end <= start:
            return
        piece = self.doc[start:end] if text is None else text
        self.display_starts.append(self.length)
        self.doc_starts.append(start)
        self.lengths.append(end - start)
        self.parts.append(piece)
        self.length += len(piece)

    def insert(self, text: str) -> None:
        """Add text that is not in the document (a mark, a break, a label)."""
        self.parts.append(text)
        self.length += len(text)

    def build(self, starts: tuple[int, ...], labels: tuple[tuple[int, int], ...] = ()) -> DisplayText:
        """The display text and its map."""
        text = "".join(self.parts)
        mapping = DisplayMap(self.display_starts, self.doc_starts, self.lengths, len(text), len(self.doc))
        return DisplayText(text, starts, mapping, labels)


def _paragraph_piece(doc: str, start: int, end: int, capitals: set[int]) -> str:
    """``doc[start:end]`` with newlines as spaces and the given offsets upper-cased (length preserved)."""
    piece = doc[start:end].replace("\n", " ").replace("\t", " ")
    for offset in capitals:
        if start <= offset < end:
            i = offset - start
            upper = piece[i].upper()
            if len(upper) == 1:
                piece = piece[:i] + upper + piece[i + 1 :]
    return piece


LABEL_GAP = "\u2003"
"""Between a speaker label and the paragraph's first word (an em space)."""


def build_display(
    doc: str, readable: Readable, speakers: Sequence[str | None] | None = None, hide_fillers: bool = False
) -> DisplayText:
    """Display text for ``doc`` as segmented in ``readable``.

    ``speakers`` (one name or None per paragraph) puts a label before each paragraph where the speaker
    changes: display text only, mapped like an inserted mark, so offsets, quotes and search ignore it.
    ``hide_fillers`` leaves out what clean verbatim hides (``clean_verbatim``): the map skips those words.
    """
    builder = _Builder(doc)
    labels: list[tuple[int, int]] = []
    previous: str | None = None
    names = {p.speaker for p in readable.paragraphs if p.speaker} | {s for s in speakers or () if s}
    capitals = sorted(set(readable.capitalize) | name_capitals(doc, names))
    insertions = _insertions(readable)
    paragraph_starts: list[int] = []
    cap_i = 0
    for number, paragraph in enumerate(readable.paragraphs):
        if number:
            builder.insert("\n")
        paragraph_starts.append(builder.length)
        speaker = speakers[number] if speakers is not None and number < len(speakers) else None
        if speaker and speaker != previous:
            labels.append((builder.length, builder.length + len(speaker)))
            builder.insert(speaker + LABEL_GAP)
        previous = speaker
        caps: set[int] = set()
        while cap_i < len(capitals) and capitals[cap_i] < paragraph.end:
            if capitals[cap_i] >= paragraph.start:
                caps.add(capitals[cap_i])
            cap_i += 1
        cuts = _cuts_within(insertions, paragraph.start, paragraph.end)
        if hide_fillers:
            _copy_clean(builder, doc, paragraph.start, paragraph.end, cuts, caps)
            continue
        shown = _paragraph_piece(doc, paragraph.start, paragraph.end, caps)  # same length: sliced below
        position = paragraph.start
        for cut, mark in cuts:
            builder.copy(position, cut, shown[position - paragraph.start : cut - paragraph.start])
            builder.insert(mark)
            position = cut
        builder.copy(position, paragraph.end, shown[position - paragraph.start :])
    return builder.build(tuple(paragraph_starts), tuple(labels))


_WORD_RE = re.compile(r"\S+")


def name_capitals(doc: str, names: set[str]) -> set[int]:
    """Offsets of the first letters to capitalise where the text writes a speaker's full name in lower case
    (automatic captions: "a conversation with sam altman" under the label "Sam Altman"). Only names of two to
    four capitalised words count: "Host" or a lone first name could be a common word."""
    wanted = sorted(
        name.lower()
        for name in names
        if 2 <= len(name.split()) <= 4 and all(w[:1].isupper() and w.isalpha() for w in name.split())
    )
    if not wanted:
        return set()
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, name.split())) for name in wanted) + r")(?!\w)"
    )
    return {
        match.start() + word.start()
        for match in pattern.finditer(doc)
        for word in _WORD_RE.finditer(match[0])
    }


def _copy_clean(
    builder: _Builder, doc: str, start: int, end: int, cuts: list[tuple[int, str]], caps: set[int]
) -> None:
    """Copy a paragraph leaving out its hidden spans; their sentence marks move to the word before (their
    commas go), their capitals to the word after; a mark that would open the paragraph is dropped."""
    from desktop_app.clean_verbatim import hidden_spans

    spans = hidden_spans(doc, start, end)
    marks: dict[int, str] = {}
    for cut, mark in cuts:
        inside = next((a for a, b in spans if a < cut <= b), None)
        if inside is not None and mark == ",":
            continue  # the pause after a filler ("um,") goes with it
        cut = cut if inside is None else inside
        if cut > start and (cut not in marks or marks[cut] == ","):
            marks[cut] = mark
    for a, b in spans:
        moved = {c for c in caps if a <= c < b}
        if moved:
            caps -= moved
            after = b
            while after < end and doc[after].isspace():
                after += 1
            caps.add(after)
    events = sorted([(cut, 0, cut, mark) for cut, mark in marks.items()] + [(a, 1, b, "") for a, b in spans])
    position = start
    for offset, kind, skip_to, mark in events:
        builder.copy(position, offset, _paragraph_piece(doc, position, offset, caps))
        position = max(position, offset)
        if kind == 0:
            builder.insert(mark)
        else:
            position = max(position, skip_to)
    builder.copy(position, end, _paragraph_piece(doc, position, end, caps))


def _insertions(readable: Readable) -> list[tuple[int, str]]:
    """(document offset, text to insert there), sorted: sentence end marks and commas."""
    marks = {s.end: s.mark for p in readable.paragraphs for s in p.sentences if s.mark}
    for offset in readable.commas:
        marks.setdefault(offset, ",")
    return sorted(marks.items())


def _cuts_within(insertions: list[tuple[int, str]], start: int, end: int) -> list[tuple[int, str]]:
    lo = bisect_left(insertions, (start + 1, ""))
    hi = bisect_right(insertions, (end, "\uffff"))
    return insertions[lo:hi]
