"""Chapters that come with an episode in a file of their own (no Qt).

A Podcasting 2.0 chapters file (``{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}``,
the ``<podcast:chapters>`` of a feed) saved beside the transcript as ``NAME.chapters.json`` or
``chapters.json``, or the ``NAME.info.json`` yt-dlp saves beside a video's captions (``"chapters":
[{"start_time": 0.0, "title": "Intro", "end_time": 94.0}]``), or a WebVTT chapters track (``NAME.chapters.vtt``
or ``chapters.vtt``: the ``<track kind="chapters">`` of web players, each cue's text a chapter's title), gives the
episode's own outline. Lenient about the spellings other tools write (``start``, ``start_time``, ``seconds``,
``timestamp`` as ``"1:02:03"``; a bare list of chapters).
Chapters marked ``"toc": false`` are not part of the table of contents and are left out.

Where a chapter starts in the text: by the file's cue times when it has them, else at the pace the list
implies (``list_pace``: the text's words over the list's last time plus one mean chapter; the usual
``WORDS_PER_MINUTE`` when that pace is implausible), an estimate, said as such by the outline's place labels.
The same pace then estimates every time in that text (``Transcript.words_per_minute``, the timeline).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from desktop_app.formats.markup import plain
from desktop_app.formats.model import Heading, Parsed, TranscriptError
from desktop_app.formats.subtitles import parse_cues
from desktop_app.timeline import WORDS_PER_MINUTE

if TYPE_CHECKING:
    from pathlib import Path

MAX_CHAPTERS_BYTES = 16 * 1024 * 1024
"""A chapters file is small, a yt-dlp ``.info.json`` a few MB (formats, caption links); anything bigger beside
a transcript is not one."""
MAX_SECONDS = 1e9
"""A chapter's start beyond this (three decades) is not a time."""
_START_KEYS = ("startTime", "start_time", "start", "seconds", "time", "timestamp")
_TITLE_KEYS = ("title", "name", "label")

ChapterList = list[tuple[float, str]]
"""``(seconds, title)`` pairs in order of time."""


def _seconds(value: Any) -> float | None:
    """A start time in seconds from a number or a ``"[h:]mm:ss[.fff]"`` string; ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # not NaN, Infinity (JSON's 1e400), nor a time no pace or cue reaches (10**400 overflows a float)
        return float(value) if 0 <= value <= MAX_SECONDS else None
    if isinstance(value, str) and re.fullmatch(r"\s*(\d{1,3}:){0,2}\d{1,6}([.,]\d{1,3})?\s*", value):
        total = 0.0
        for part in value.strip().replace(",", ".").split(":"):
            total = total * 60 + float(part)
        return total
    return None


def _entry(item: Any) -> tuple[float, str] | None:
    """One chapter of the list, or ``None`` when the item is not a chapter (or is hidden from the TOC)."""
    if not isinstance(item, dict) or item.get("toc") is False:
        return None
    start = next((s for key in _START_KEYS if (s := _seconds(item.get(key))) is not None), None)
    title = next((t for key in _TITLE_KEYS if isinstance(t := item.get(key), str) and t.strip()), None)
    if start is None or title is None:
        return None
    return start, " ".join(plain(title).split())[:200]


def chapters_from_json(data: Any) -> ChapterList | None:
    """The chapters of a chapters JSON document, sorted by time; ``None`` when it is not one."""
    items = data.get("chapters") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        return None
    entries = [entry for item in items if (entry := _entry(item)) is not None]
    if not entries or len(entries) < len(items) // 2:
        return None  # mostly not chapters: some other JSON list
    entries.sort(key=lambda entry: entry[0])
    return entries


MAX_TRACK_CHAPTERS = 500
"""A WebVTT file with more cues than this is captions, not a chapters track (unless its header says chapters)."""
MIN_TRACK_GAP_S = 20.0
"""Chapters are minutes apart, caption cues seconds: a track whose starts are closer (median) is captions."""


def chapters_from_vtt(text: str) -> ChapterList | None:
    """The chapters of a WebVTT chapters track (each cue: a chapter's start and, as its text, its title), sorted
    by time; ``None`` when no cue has a title, or when the cues are captions (many, seconds apart), unless the
    header says ``Kind: chapters``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        cues, _warnings = parse_cues(text, "chapters", "vtt")
    except TranscriptError:
        return None
    entries = [
        (cue.t_start, title[:200]) for cue in cues if (title := " ".join(plain(" ".join(cue.lines)).split()))
    ]
    entries.sort(key=lambda entry: entry[0])
    header = text.split("\n\n", 1)[0]
    if not re.search(r"^kind:\s*chapters\s*$", header, re.IGNORECASE | re.MULTILINE):
        gaps = sorted(b[0] - a[0] for a, b in zip(entries, entries[1:], strict=False))
        if len(entries) > MAX_TRACK_CHAPTERS or (gaps and gaps[len(gaps) // 2] < MIN_TRACK_GAP_S):
            return None  # captions under a chapters file's name
    return entries or None


def read_chapters_file(path: Path) -> ChapterList | None:
    """The chapters of a file (chapters JSON, or WebVTT for a ``.vtt``), or ``None`` when it is missing,
    unreadable, too big or not a chapters file."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_CHAPTERS_BYTES:
            return None
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".vtt":
            return chapters_from_vtt(text)
        data = json.loads(text)
    except (OSError, ValueError, RecursionError):
        return None
    return chapters_from_json(data)


def is_chapters_name(name: str) -> bool:
    """Whether a file's name says it holds chapters (``NAME.chapters.json``, ``chapters.vtt`` …)."""
    return name.lower().endswith(("chapters.json", "chapters.vtt"))


def chapters_file_refusal(name: str, chapters: ChapterList) -> TranscriptError:
    """The message for a chapters file opened as a transcript: what it is, and where to put it instead."""
    suffix = ".vtt" if name.lower().endswith(".vtt") else ".json"
    stem = name.rsplit(".", 1)[0].removesuffix(".chapters")
    count = f"{len(chapters)} chapter{'s' if len(chapters) != 1 else ''}"
    return TranscriptError(
        f"{name} is a chapters file ({count}, from “{chapters[0][1]}”), not a transcript: it has times and "
        f"titles but none of the words. Open the episode's transcript; with this file beside it, saved as "
        f"“{stem}.chapters{suffix}” next to “{stem}.srt” (or .vtt, .txt…), its chapters become the episode's "
        f"outline."
    )


def sidecar_candidates(transcript: Path) -> list[Path]:
    """Where an episode's chapters file may sit beside its transcript, most specific first:
    ``NAME.chapters.json`` and ``NAME.chapters.vtt`` for the name with each of its suffixes taken off
    (``ep.en.vtt`` → ``ep.en``, ``ep``), ``NAME.info.json`` (what ``yt-dlp --write-info-json`` saves beside the
    captions: its ``chapters`` are the video's), ``NAME.json`` (not the transcript itself), then
    ``chapters.json`` and ``chapters.vtt`` in the same folder."""
    folder, name = transcript.parent, transcript.name
    stems: list[str] = []
    while "." in name:
        name = name.rsplit(".", 1)[0]
        if name:
            stems.append(name)
    candidates = [folder / f"{stem}.chapters.{kind}" for stem in stems for kind in ("json", "vtt")]
    candidates += [folder / f"{stem}.info.json" for stem in stems]
    candidates += [folder / f"{stem}.json" for stem in stems]
    candidates += [folder / "chapters.json", folder / "chapters.vtt"]
    return [path for path in dict.fromkeys(candidates) if path != transcript]


def sidecar_chapters(transcript: Path) -> tuple[Path, ChapterList] | None:
    """The first chapters file found beside ``transcript`` and its chapters (``None`` when none is)."""
    for candidate in sidecar_candidates(transcript):
        chapters = read_chapters_file(candidate)
        if chapters:
            return candidate, chapters
    return None


PACE_RANGE = (110.0, 260.0)
"""Words a minute a chapter list may imply for untimed text; outside it, the list and the text disagree."""


def list_pace(chapters: ChapterList, n_words: int) -> float | None:
    """The speaking pace (words a minute) under which a chapter list spans untimed text of ``n_words``: the
    text runs to the last chapter's start plus one mean chapter. None with fewer than three chapters or an
    implausible pace."""
    times = sorted(seconds for seconds, _title in chapters)
    if len(times) < 3 or times[-1] <= 0 or n_words <= 0:
        return None
    minutes = (times[-1] + times[-1] / (len(times) - 1)) / 60.0
    pace = n_words / minutes
    return pace if PACE_RANGE[0] <= pace <= PACE_RANGE[1] else None


def with_chapters(parsed: Parsed, chapters: ChapterList, listed_in: str) -> Parsed:
    """The parsed file with its listed chapters placed; untimed text also takes the list's pace. Chapters
    that fall past the end are said in a warning naming where they were listed (``listed_in``)."""
    pace = None if parsed.cues else list_pace(chapters, len(parsed.text.split()))
    placed = place_chapters(parsed, chapters, pace)
    warnings = parsed.warnings
    if len(placed) < len(chapters):
        warnings += (
            f"{listed_in} lists {len(chapters)} chapters; {len(placed)} of them fall inside this transcript.",
        )
    return replace(parsed, chapters=placed, words_per_minute=pace, warnings=warnings)


def place_chapters(
    parsed: Parsed, chapters: ChapterList, words_per_minute: float | None = None
) -> tuple[Heading, ...]:
    """Where each listed chapter starts in the text: at the first cue from its time when the file has
    times, else at ``words_per_minute`` (default ``WORDS_PER_MINUTE``; an estimate; past the end means at
    the last word). A chapter that would not start after the previous one is dropped."""
    words = [m.start() for m in re.finditer(r"\S+", parsed.text)]
    if not words:
        return ()
    pace = words_per_minute or WORDS_PER_MINUTE
    cue_times = [cue.t_start for cue in parsed.cues]
    placed: list[Heading] = []
    for seconds, title in chapters:
        if cue_times:
            offset = parsed.cues[min(bisect_left(cue_times, seconds), len(cue_times) - 1)].start
        else:
            offset = words[min(int(seconds / 60 * pace), len(words) - 1)]
        if not placed or offset > placed[-1].start:
            placed.append(Heading(offset, title))
    return tuple(placed)
