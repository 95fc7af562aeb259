"""Quotes as the reader shows them, and links back to where they were said. No Qt.

Used by Copy as quote, the single-episode export and the export of the whole library, so that all three say
the same thing in the same words:

- :func:`readable_quote`: the words of ``[start, end)`` as the reader shows them (capitals, inserted
  punctuation, no speaker labels), not the raw caption text the highlight is anchored to.
- :func:`source_url`: the video or page a transcript names (a ``Source:`` header line, a URL among the
  header lines, a yt-dlp file name's ``[video id]``); :func:`link_at` points into it at a second (YouTube),
  and :func:`link_back` falls back to the transcript file's ``file://`` URI.
- :func:`markdown_quote`: a Markdown block quote with speaker, episode, chapter and the linked time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlsplit

from desktop_app.display_text import LABEL_GAP

if TYPE_CHECKING:
    from desktop_app.display_text import DisplayText

HEAD_BYTES = 8192
"""How much of a file's start is read for its header lines."""
HEAD_LINES = 40
"""Header lines looked at, at most."""

_URL_RE = re.compile(r"https?://[^\s<>\"'`\]\[)(]+", re.IGNORECASE)
_SOURCE_KEY_RE = re.compile(
    r"^\s*(?:#+\s*|NOTE\s+)?(source|url|video|link|youtube|webpage[_ ]url|original[_ ]url)\s*[:=]\s*(\S.*)$",
    re.IGNORECASE,
)
_KEY_LINE_RE = re.compile(r"^\s*[A-Za-z][\w .-]{0,30}\s*:(?:\s|$)")
_YT_DLP_ID_RE = re.compile(r"\[([A-Za-z0-9_-]{11})\](?=[^\[\]]*$)")
_VIDEO_ID_RE = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com")
_TRAILING = ".,;:!?'\""
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|])")
_SENTENCE_MARKS = ".?!…"
# a time stamp written as a link to that second of the video (Obsidian's and note apps' YouTube transcripts)
_STAMP_LINK_RE = re.compile(
    r"^[ \t>*-]*\[\(?\d{1,2}:\d{2}(?::\d{2})?\)?\]\((https?://[^)\s]{1,2000})\)", re.MULTILINE
)


# -- where a transcript comes from ------------------------------------------------------------
def read_head(path: str | Path, size: int = HEAD_BYTES) -> str:
    """The first characters of a file as written ("" when it cannot be read)."""
    try:
        with open(path, "rb") as stream:
            return stream.read(size).decode("utf-8", errors="replace").lstrip("\ufeff")
    except (OSError, ValueError):
        return ""


def source_url(path: str | Path, head: str | None = None) -> str:
    """The video or page the transcript at ``path`` names ("" when none).

    In order: a ``Source:`` / ``URL:`` / ``Video:`` header line (``# Source: …`` too, or a front-matter key),
    else the first web address among the header lines, else the 11-character video id that yt-dlp puts in
    its file names (``Title [dQw4w9WgXcQ].en.vtt``), else the YouTube video of the first time stamp written as
    a link (``[0:14](https://www.youtube.com/watch?v=…&t=14s)``). Only ``http(s)`` addresses count. ``head``: the file's
    first characters when already read.
    """
    lines = header_lines(read_head(path) if head is None else head)
    for line in lines:
        keyed = _SOURCE_KEY_RE.match(line)
        found = _first_url(keyed.group(2)) if keyed else ""
        if found:
            return found
    for line in lines:
        found = _first_url(line)
        if found:
            return found
    video = _YT_DLP_ID_RE.search(Path(path).name)
    if video:
        return f"https://www.youtube.com/watch?v={video.group(1)}"
    linked = _STAMP_LINK_RE.search(head if head is not None else read_head(path))
    return link_at(linked.group(1), None) if linked and youtube_id(linked.group(1)) else ""


def header_lines(head: str) -> list[str]:
    """The lines before a transcript's text: ``#`` lines, ``key: value`` lines, YAML front matter, a WebVTT
    header and its NOTE blocks. The text itself (a word spoken may be an address) is never looked at."""
    lines: list[str] = []
    in_front_matter = False
    for number, raw in enumerate(head.splitlines()[:HEAD_LINES]):
        line = raw.strip()
        if number == 0 and line == "---":
            in_front_matter = True
            continue
        if in_front_matter:
            if line in ("---", "..."):
                in_front_matter = False
            else:
                lines.append(line)
            continue
        if not line or line.upper().startswith(("WEBVTT", "NOTE")) or line.startswith("#"):
            lines.append(line)
        elif "-->" in line or line.isdigit() or not _KEY_LINE_RE.match(line):
            break  # a cue, a cue number or the text: the header is over
        elif _SOURCE_KEY_RE.match(line):
            lines.append(line)  # other "Key: value" lines may be a speaker's words: not looked into
    return lines


def _first_url(text: str) -> str:
    match = _URL_RE.search(text)
    return match.group(0).rstrip(_TRAILING) if match else ""


def youtube_id(url: str) -> str:
    """The video id of a YouTube address (``watch?v=``, ``youtu.be/``, ``/shorts/``, ``/live/``), else ""."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        if parts.path == "/watch":
            candidate = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/shorts/", "/live/", "/embed/")):
            candidate = parts.path.split("/")[2]
    return candidate if _VIDEO_ID_RE.match(candidate) else ""


def link_at(url: str, seconds: float | None) -> str:
    """``url`` at a second: a YouTube video's watch address with ``&t=123s``; any other address as it is."""
    video = youtube_id(url)
    if not video:
        return url
    link = f"https://www.youtube.com/watch?v={video}"
    return link if seconds is None else f"{link}&t={max(0, int(seconds))}s"


def file_uri(path: str | Path) -> str:
    """The ``file://`` URI of a transcript file (every character a Markdown link could trip on escaped)."""
    absolute = Path(path).expanduser().absolute().as_posix()
    return "file://" + quote(absolute if absolute.startswith("/") else "/" + absolute, safe="/:")


def link_back(url: str, path: str | Path, seconds: float | None) -> str:
    """Where a quote can be heard or read again: the source video at that second, else the transcript file."""
    return link_at(url, seconds) if url else file_uri(path)


# -- what the reader shows ----------------------------------------------------------------------
def readable_quote(display: DisplayText, start: int, end: int) -> str:
    """The words of document range ``[start, end)`` as the reader shows them, on one line: capitals and
    inserted punctuation kept (a sentence mark right after the last word too), speaker labels left out."""
    first, last = display.map.range_to_display(start, end)
    text = display.text
    if last < len(text) and text[last] in _SENTENCE_MARKS and _inserted(display, last):
        last += 1
    pieces: list[str] = []
    position = first
    labels = display.labels  # sorted and apart: only those from the one starting before ``first`` on
    for label_start, label_end in labels[max(0, bisect_right(labels, (first, first)) - 1) :]:
        if label_start >= last:
            break
        if label_end + len(LABEL_GAP) <= position:
            continue
        pieces.append(text[position:label_start])
        position = max(position, label_end + len(LABEL_GAP))
    pieces.append(text[position:last])
    return " ".join("".join(pieces).split())


def _inserted(display: DisplayText, position: int) -> bool:
    """Whether the display character at ``position`` is an inserted mark (no document text of its own)."""
    return display.map.to_doc(position) == display.map.to_doc(position + 1)


# -- the quote as Markdown ----------------------------------------------------------------------
@dataclass(frozen=True)
class QuotePlace:
    """A quote and where it was said: speaker and chapter where known, the place label (``12:34`` or
    ``min 12``), the link back, and the episode's title."""

    quote: str
    place: str = ""
    link: str = ""
    speaker: str = ""
    chapter: str = ""
    episode: str = ""


def escape_markdown(text: str) -> str:
    """Text with Markdown's special characters escaped (it renders as written)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def linked_place(place: str, link: str) -> str:
    """``[12:34](link)``, or the label alone without a link (or the link alone without a label)."""
    label = escape_markdown(" ".join(place.split()))
    if not link:
        return label
    return f"[{label or 'source'}]({link})"


def markdown_quote(where: QuotePlace) -> str:
    """A Markdown block quote, then an attribution line: ``— **Speaker** · *Episode* · Chapter · [12:34](link)``."""
    lines = [f"> {escape_markdown(line)}" for line in where.quote.strip().splitlines() if line.strip()] or [
        ">"
    ]
    parts = []
    if where.speaker.strip():
        parts.append(f"**{escape_markdown(' '.join(where.speaker.split()))}**")
    if where.episode.strip():
        parts.append(f"*{escape_markdown(' '.join(where.episode.split()))}*")
    if where.chapter.strip():
        parts.append(escape_markdown(" ".join(where.chapter.split())))
    place = linked_place(where.place, where.link)
    if place:
        parts.append(place)
    if parts:
        lines += [">", "> — " + " · ".join(parts)]
    return "\n".join(lines) + "\n"
