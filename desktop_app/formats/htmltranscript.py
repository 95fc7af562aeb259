"""Podcasting 2.0 HTML transcripts (``podcast:transcript type="text/html"``), no Qt.

The namespace's HTML shape: for each turn a ``<cite>Name:</cite>``, an optional ``<time>0:00</time>`` and one
or more ``<p>`` paragraphs. Any other HTML (a web page) is not a transcript and is refused by the caller.
Tags are found with a pattern that cannot cross ``<`` or ``>``, so the scan is linear.
"""

from __future__ import annotations

import re

from desktop_app.formats.markup import unescape
from desktop_app.formats.model import DocumentBuilder, Parsed

_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w-]{0,20})[^<>]*>")
_STAMP_RE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")
_BLOCKS = frozenset(("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section"))


def looks_like_podcast_html(text: str) -> bool:
    """Whether an HTML text has the Podcasting 2.0 transcript shape (``<cite>`` speakers and ``<p>``)."""
    head = text[:200_000].lower()
    return head.count("<cite") >= 1 and "<p" in head and "<script" not in head


def _seconds(stamp: str) -> float | None:
    match = _STAMP_RE.match(stamp.strip())
    if match is None:
        return None
    h, m, s, frac = match.groups()
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int((frac or "0").ljust(3, "0")) / 1000


def read_podcast_html(text: str) -> Parsed:
    """The turns of a Podcasting 2.0 HTML transcript: speakers from ``<cite>``, times from ``<time>``."""
    out = DocumentBuilder()
    speaker: str | None = None
    time: float | None = None
    title: str | None = None
    element = ""  # "cite", "time", "title" or "" (body text)
    buffer: list[str] = []
    pos = 0

    def flush() -> None:
        nonlocal time
        content = unescape("".join(buffer))
        buffer.clear()
        if content:
            out.add(content, time, None, speaker)
            time = None

    for match in _TAG_RE.finditer(text):
        buffer.append(text[pos : match.start()])
        pos = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in ("cite", "time", "title"):
            if not closing:
                flush()
                element = name
                continue
            value = unescape("".join(buffer))
            buffer.clear()
            if element == "cite":
                speaker = value.rstrip(":").strip() or None
                out.paragraph_break()
            elif element == "time":
                time = _seconds(value)
            elif element == "title":
                title = value or None
            element = ""
        elif name in ("script", "style", "head"):
            buffer.clear()
        elif name in _BLOCKS:
            flush()
            out.paragraph_break()
    buffer.append(text[pos:])
    flush()
    return out.build("podcast-html", title=title)
