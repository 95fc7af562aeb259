"""Export highlights and notes: Markdown for people, W3C Web Annotation JSON for tools. No Qt.

Both exports anchor the annotations on ``text`` first (cheap when nothing moved), so positions and quotes are
those of the current text and orphans are reported apart instead of being lost.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml

from desktop_app.annotations.colors import DEFAULT_COLOR_MEANINGS
from desktop_app.annotations.model import AnchorStatus, Annotation, anchor_annotations
from desktop_app.quotes import linked_place
from desktop_app.timeline import Timeline, chapter_at

logger = logging.getLogger(__name__)

WEB_ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|])")
_UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(?=(?:javascript|vbscript|data|file)\s*:)", re.IGNORECASE)
_UNSAFE_REFERENCE = re.compile(
    r"^(\s{0,3})\[(?=[^\]]+\]:\s*<?\s*(?:javascript|vbscript|data|file)\s*:)", re.IGNORECASE | re.MULTILINE
)


class SectionLike(Protocol):
    """Anything with a title and ``[start, end)`` offsets (e.g. ``outline.Section``); read-only, so frozen
    dataclasses match."""

    @property
    def title(self) -> str:
        """The chapter's title."""

    @property
    def start(self) -> int:
        """Document offset where the chapter starts."""

    @property
    def end(self) -> int:
        """Document offset where the chapter ends."""


TimeOf = Callable[[int], "float | None"]
"""Seconds at an offset from the file's own times (None where it has none)."""
SpeakerOf = Callable[[int], "str | None"]
"""The speaker at an offset (None where unknown)."""


QuoteOf = Callable[[int, int], str]
"""The words of ``[start, end)`` as the reader shows them (``quotes.readable_quote`` over the display)."""
LinkOf = Callable[[int], str]
"""The link back to an offset: the source video at that second, else the transcript file."""


def to_markdown(
    title: str,
    text: str,
    annotations: Iterable[Annotation],
    sections: Sequence[SectionLike] | None = None,
    colors: Mapping[str, str] | None = None,
    timeline: Timeline | None = None,
    speaker_of: SpeakerOf | None = None,
    quote_of: QuoteOf | None = None,
    link_of: LinkOf | None = None,
    header: Mapping[str, Any] | None = None,
) -> str:
    """A Markdown document: the title, then per chapter each highlight as a blockquote with its speaker
    (``speaker_of(offset)``, e.g. ``Transcript.speaker_at``, when known), its position
    (``timeline.place_label``: the real time for subtitles, else the estimated minute; linked to
    ``link_of(offset)`` when given), colour meaning, note and tags; orphans (quote no longer in the text) in a
    final section of their own. ``quote_of(start, end)`` gives the words as the reader shows them (else the
    document text); ``header``: YAML front matter (:func:`front_matter`)."""
    anchored = sorted(anchor_annotations(text, list(annotations)), key=lambda a: (a.start, a.end, a.id))
    placed = [a for a in anchored if a.status is not AnchorStatus.ORPHAN]
    orphans = [a for a in anchored if a.status is AnchorStatus.ORPHAN]
    meanings = {**DEFAULT_COLOR_MEANINGS, **(colors or {})}
    timeline = timeline or Timeline(text)
    count = f"{len(anchored)} highlight{'s' if len(anchored) != 1 else ''}"
    lines = [front_matter(header)] if header is not None else []
    lines += [f"# {safe_markdown(_one_line(title)) or 'Transcript'}", "", f"*{count}*", ""]
    for heading, group in _group_by_section(placed, sections):
        if heading is not None:
            lines += [f"## {safe_markdown(_one_line(heading))}", ""]
        for item in group:
            speaker = speaker_of(item.start) if speaker_of is not None else None
            quote = (quote_of(item.start, item.end) if quote_of is not None else "") or text[
                item.start : item.end
            ]
            link = link_of(item.start) if link_of is not None else ""
            lines += _entry_lines(quote, item, meanings, timeline.place_label(item.start), speaker, link)
    if orphans:
        lines += ["## Not found in the current text", ""]
        lines += ["*These highlights were made on an earlier version of the transcript.*", ""]
        for item in orphans:
            lines += _entry_lines(item.target.exact, item, meanings, None)
    return "\n".join(lines).rstrip("\n") + "\n"


def front_matter(fields: Mapping[str, Any]) -> str:
    """A YAML front matter block (``---`` lines around it), as Obsidian and Logseq read it: written by the
    YAML library, so every value is quoted and escaped as it must be; empty values are left out."""
    kept = {k: v for k, v in fields.items() if v not in ("", None, [], ())}
    body = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)
    return f"---\n{body}---\n"


def highlight_lines(
    quote: str,
    meaning: str,
    where: str | None,
    speaker: str | None = None,
    link: str = "",
    note: str = "",
    tags: Sequence[str] = (),
) -> list[str]:
    """One highlight in Markdown: the quote as a block quote (the speaker first, in bold), then its place
    (linked when ``link`` is given) and colour meaning in italics, its note and its tags."""
    lines = [f"> {_escape(line)}" if line.strip() else ">" for line in quote.strip().splitlines()] or [">"]
    if speaker:
        lines[0] = f"> **{safe_markdown(_one_line(speaker))}:** {lines[0][2:]}".rstrip()
    details = [linked_place(where or "", link)] if link else []
    details += [safe_markdown(_one_line(part)) for part in ((None if link else where), meaning) if part]
    lines += ["", f"*{' · '.join(details)}*", ""]
    if note.strip():
        lines += [safe_markdown(note.strip()), ""]
    if tags:
        lines += ["Tags: " + ", ".join(_code(tag) for tag in tags), ""]
    return lines


def _entry_lines(
    quote: str,
    item: Annotation,
    meanings: Mapping[str, str],
    where: str | None,
    speaker: str | None = None,
    link: str = "",
) -> list[str]:
    meaning = meanings.get(item.color, item.color)
    return highlight_lines(quote, meaning, where, speaker, link, item.note, item.tags)


def safe_markdown(note: str) -> str:
    """A note as Markdown, with nothing a Markdown renderer would turn into HTML of the note's choosing: raw
    tags, comments and autolinks (``<`` becomes ``&lt;``), and links to ``javascript:``, ``data:``,
    ``vbscript:`` or ``file:`` targets (their ``](`` is escaped, so they stay text). Emphasis, lists and
    ordinary links still render: notes are Markdown by design."""
    defanged = _UNSAFE_REFERENCE.sub(r"\1\\[", _UNSAFE_LINK.sub("]\\(", note))
    return defanged.replace("<", "&lt;")


def _code(tag: str) -> str:
    """A tag as inline code (nothing in a code span renders as HTML); a backtick would end the span, so it
    becomes an apostrophe."""
    clean = _one_line(tag).replace("`", "'")
    return f"`{clean}`"


def _group_by_section(
    items: Sequence[Annotation], sections: Sequence[SectionLike] | None
) -> list[tuple[str | None, list[Annotation]]]:
    """Annotations under the chapter that contains their start; those outside every chapter come first."""
    if not sections:
        return [(None, list(items))] if items else []
    ordered = sorted(sections, key=lambda s: s.start)
    groups: dict[int, list[Annotation]] = {}
    for item in items:
        groups.setdefault(chapter_at(ordered, item.start), []).append(item)
    result: list[tuple[str | None, list[Annotation]]] = []
    if -1 in groups:
        result.append(("Other highlights" if len(groups) > 1 else None, groups.pop(-1)))
    result += [(ordered[n].title or f"Chapter {n + 1}", groups[n]) for n in sorted(groups)]
    return result


def _escape(line: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", line)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def to_web_annotation_json(
    title: str,
    text: str,
    annotations: Iterable[Annotation],
    source: str | None = None,
    sha256: str | None = None,
    colors: Mapping[str, str] | None = None,
    time_of: TimeOf | None = None,
    speaker_of: SpeakerOf | None = None,
) -> str:
    """A W3C Web Annotation ``AnnotationCollection`` (JSON-LD) with one ``Annotation`` per highlight.

    With ``time_of`` / ``speaker_of`` (e.g. ``Transcript.time_at`` / ``speaker_at``), a placed highlight
    also carries ``"speaker"`` and ``"time"`` (seconds into the recording) where known.

    Each target carries a ``TextQuoteSelector`` and, unless the highlight is an orphan, a
    ``TextPositionSelector`` (code-point offsets, the same as our str offsets); the colour key is the
    target's ``styleClass``; note, tags and colour meaning are ``TextualBody`` bodies (commenting, tagging,
    classifying).
    """
    anchored = sorted(anchor_annotations(text, list(annotations)), key=lambda a: (a.start, a.end, a.id))
    meanings = {**DEFAULT_COLOR_MEANINGS, **(colors or {})}
    source_id = _source_iri(source, sha256)
    items = [_web_annotation(a, text, source_id, meanings) for a in anchored]
    for item, record in zip(anchored, items, strict=True):
        if item.status is AnchorStatus.ORPHAN:
            continue
        speaker = speaker_of(item.start) if speaker_of is not None else None
        seconds = time_of(item.start) if time_of is not None else None
        if speaker:
            record["speaker"] = speaker
        if seconds is not None:
            record["time"] = round(float(seconds), 3)
    collection = {
        "@context": WEB_ANNOTATION_CONTEXT,
        "type": "AnnotationCollection",
        "label": title,
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return json.dumps(collection, ensure_ascii=False, indent=2) + "\n"


def _source_iri(source: str | None, sha256: str | None) -> str:
    if source and Path(source).is_absolute():
        return Path(source).as_uri()
    if sha256:
        return f"urn:sha256:{sha256}"
    return "urn:transcript-reader:document"


def _web_annotation(
    item: Annotation, text: str, source_id: str, meanings: Mapping[str, str]
) -> dict[str, Any]:
    orphan = item.status is AnchorStatus.ORPHAN
    target = item.target
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": target.exact}
    if target.prefix:
        quote["prefix"] = target.prefix
    if target.suffix:
        quote["suffix"] = target.suffix
    selectors: list[dict[str, Any]] = [quote]
    if not orphan:
        selectors.append({"type": "TextPositionSelector", "start": item.start, "end": item.end})
    bodies: list[dict[str, Any]] = []
    if item.note.strip():
        bodies.append(
            {"type": "TextualBody", "value": item.note, "format": "text/markdown", "purpose": "commenting"}
        )
    bodies += [{"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in item.tags]
    meaning = meanings.get(item.color)
    if meaning:
        bodies.append({"type": "TextualBody", "value": meaning, "purpose": "classifying"})
    result: dict[str, Any] = {
        "id": f"urn:uuid:{item.id}",
        "type": "Annotation",
        "motivation": "commenting" if item.note.strip() else "highlighting",
        "created": item.created,
        "modified": item.updated,
    }
    if bodies:
        result["body"] = bodies
    result["target"] = {
        "type": "SpecificResource",
        "source": source_id,
        "styleClass": item.color,
        "selector": selectors,
    }
    return result
