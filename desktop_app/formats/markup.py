"""Cue markup in linear time: tags, inline word times, voices, entities (no Qt).

Subtitle text carries WebVTT tags (``<c.colorE5E5E5>``, ``<i>``, ``<v Name>``, ``<00:00:01.234>``), SubRip's
HTML-like tags (``<font color=…>``) and ASS override blocks (``{\\an8}``). They are scanned once, left to right,
with ``str.find``: an opening ``<`` without a closing ``>`` after it means no tag can follow, so the scan
stops there instead of retrying at every ``<`` (200,000 ``<`` in one cue took > 30 s with a regular
expression; here it is one pass).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_INLINE_TIME_RE = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$")


@dataclass(frozen=True)
class Markup:
    """One cue line scanned: text pieces, each with the inline time before it (``None``: none) and the
    voice (speaker) in force there (``None``: none given)."""

    pieces: tuple[tuple[str, float | None, str | None], ...]

    @property
    def text(self) -> str:
        """The plain text of the line, whitespace collapsed, entities decoded."""
        return " ".join("".join(p[0] for p in self.pieces).split())

    @property
    def timed(self) -> bool:
        """Whether the line holds inline word times (YouTube automatic captions)."""
        return any(p[1] is not None for p in self.pieces)

    @property
    def voices(self) -> tuple[str, ...]:
        """The voices named in the line."""
        return tuple(dict.fromkeys(p[2] for p in self.pieces if p[2]))


def scan(line: str, voice: str | None = None) -> Markup:
    """Split a line into text pieces at its tags; ``voice``: the voice in force at its start."""
    pieces: list[tuple[str, float | None, str | None]] = []
    time: float | None = None
    buffer: list[str] = []
    pos = 0
    n = len(line)
    next_lt = line.find("<")
    next_br = line.find("{\\")

    def flush() -> None:
        if buffer:
            pieces.append((html.unescape("".join(buffer)), time, voice))
            buffer.clear()

    while pos < n:
        if 0 <= next_lt < pos:
            next_lt = line.find("<", pos)
        if 0 <= next_br < pos:
            next_br = line.find("{\\", pos)
        starts = [c for c in (next_lt, next_br) if c >= 0]
        if not starts:
            buffer.append(line[pos:])
            break
        at = min(starts)
        closer = ">" if at == next_lt else "}"
        close = line.find(closer, at + 1)
        if close < 0:  # no closing mark anywhere after: no more tags of this kind
            if closer == ">":
                next_lt = -1
            else:
                next_br = -1
            continue
        buffer.append(line[pos:at])
        pos = close + 1
        if closer == "}":
            continue
        tag = line[at + 1:close].strip()
        stamp = _inline_time(tag)
        if stamp is not None:
            flush()
            time = stamp
        elif tag[:1] == "v" and (tag[1:2] in (" ", ".", "\t")):
            flush()
            rest = tag[1:]
            if rest.startswith("."):  # <v.class Name>
                rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
            voice = " ".join(html.unescape(rest).split()) or voice
        elif tag.lower() in ("/v",):
            flush()
        elif tag.lower().startswith(("br", "/p", "p ")) or tag.lower() == "p":
            buffer.append(" ")
    flush()
    return Markup(tuple(pieces))


def _inline_time(tag: str) -> float | None:
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
