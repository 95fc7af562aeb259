"""Cue markup in linear time: tags, inline word times, voices, entities (no Qt).

Subtitle text carries WebVTT tags (``<c.colorE5E5E5>``, ``<i>``, ``<v Name>``, ``<00:00:01.234>``), SubRip's
HTML-like tags (``<font color=…>``) and ASS override blocks (``{\\an8}``). They are scanned once, left to right,
with a pattern whose tags cannot hold ``<`` or ``>``, so every match attempt ends at the next one of them
(``<[^>]*>`` retried from every ``<`` to the end of the line: 200,000 ``<`` in one cue took > 30 s).
"""

from __future__ import annotations

import html
import re

_INLINE_TIME_RE = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$")


_TAG_RE = re.compile(r"<([^<>\n]*)>|\{\\[^{}\n]*\}")
"""A tag cannot contain ``<`` or ``>`` (nor an ASS block ``{`` or ``}``): each match attempt stops at the
next such character, so scanning is linear even in a cue of 200,000 ``<``."""


Piece = tuple[str, "float | None", "str | None"]
"""A run of text, the inline time before it and the voice in force."""
_CLASS_TAG_RE = re.compile(r"<c(?:\.[^<>\s]*)?>")
_TIME_SPLIT_RE = re.compile(r"<(\d\d:\d\d:\d\d\.\d\d\d)>")


class Markup:
    """One cue line scanned: text pieces, each with the inline time before it (``None``: none) and the
    voice (speaker) in force there (``None``: none given); ``text`` is the plain text of the line
    (whitespace collapsed, entities decoded), ``timed`` whether it holds inline word times (YouTube
    automatic captions)."""

    __slots__ = ("pieces", "text", "timed")

    def __init__(self, pieces: tuple[Piece, ...], timed: bool) -> None:
        self.pieces = pieces
        self.timed = timed
        self.text = (
            " ".join("".join(p[0] for p in pieces).split())
            if len(pieces) != 1
            else " ".join(pieces[0][0].split())
        )

    @property
    def voices(self) -> tuple[str, ...]:
        """The voices named in the line."""
        return tuple(dict.fromkeys(p[2] for p in self.pieces if p[2]))

    def __repr__(self) -> str:
        return f"Markup({self.pieces!r})"


def _decode(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def scan(line: str, voice: str | None = None) -> Markup:
    """Split a line into text pieces at its tags; ``voice``: the voice in force at its start."""
    if "<" not in line and "{\\" not in line:
        return Markup(((_decode(line), None, voice),), False)
    if "<c" in line:  # YouTube's class spans, three tags a word: dropped in one C-speed pass first
        line = _CLASS_TAG_RE.sub("", line.replace("</c>", ""))
        parts = _TIME_SPLIT_RE.split(line)
        if len(parts) > 1 and not any("<" in part for part in parts[::2]):  # text and word times only
            times = [
                int(x[:2]) * 3600 + int(x[3:5]) * 60 + int(x[6:8]) + int(x[9:]) / 1000 for x in parts[1::2]
            ]
            fast: list[Piece] = [(_decode(parts[0]), None, voice)] if parts[0] else []
            fast.extend((_decode(text), t, voice) for text, t in zip(parts[2::2], times, strict=True))
            return Markup(tuple(fast), True)
    pieces: list[Piece] = []
    time: float | None = None
    timed = False
    buffer: list[str] = []
    pos = 0
    for match in _TAG_RE.finditer(line):
        buffer.append(line[pos : match.start()])
        pos = match.end()
        tag = match.group(1)
        if tag is None:  # an ASS override block: dropped
            continue
        tag = tag.strip()
        first = tag[:1]
        if first.isdigit():
            stamp = _inline_time(tag)
            if stamp is not None:
                if buffer:
                    pieces.append((_decode("".join(buffer)), time, voice))
                    buffer = []
                time = stamp
                timed = True
        elif first == "v" and tag[1:2] in (" ", ".", "\t"):
            if buffer:
                pieces.append((_decode("".join(buffer)), time, voice))
                buffer = []
            rest = tag[1:]
            if rest.startswith("."):  # <v.class Name>
                rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
            voice = " ".join(html.unescape(rest).split()) or voice
        elif tag.lower().startswith(("br", "p ")) or tag.lower() in ("p", "/p"):
            buffer.append(" ")
    buffer.append(line[pos:])
    pieces.append((_decode("".join(buffer)), time, voice))
    return Markup(tuple(pieces), timed)


def _inline_time(tag: str) -> float | None:
    if len(tag) == 12 and tag[2] == ":" and tag[5] == ":" and tag[8] == ".":  # HH:MM:SS.mmm, the common case
        h, m, s, ms = tag[:2], tag[3:5], tag[6:8], tag[9:]
        if h.isdigit() and m.isdigit() and s.isdigit() and ms.isdigit():
            return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
    if not tag[:1].isdigit() or len(tag) > 16:
        return None
    match = _INLINE_TIME_RE.match(tag)
    if match is None:
        return None
    h, m, s, frac = match.groups()
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def plain(line: str) -> str:
    """A line's text without tags, entities decoded, whitespace collapsed."""
    return scan(line).text


def unescape(text: str) -> str:
    """HTML entities decoded (``Q&amp;A`` → ``Q&A``), whitespace collapsed."""
    return " ".join(html.unescape(text).split())
