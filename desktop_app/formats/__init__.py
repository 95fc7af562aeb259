"""Transcript formats: one reader per format behind one :func:`load` (no Qt).

The format is recognised from the content (the extension only breaks ties): WebVTT and SubRip subtitles,
YouTube's rolling automatic captions, transcript JSON (Podcasting 2.0, Whisper, YouTube transcript fetchers,
YouTube ``json3``), Whisper's ``.tsv``, Markdown and plain text with or without speaker labels. Files that
are something else (a Word document, a PDF, a web page, audio, another JSON) are refused with a
:class:`TranscriptError` that says what the file looks like and what the app reads.
"""

from __future__ import annotations

import contextlib
import gc
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.formats.chapter_files import (
    chapters_file_refusal,
    chapters_from_vtt,
    is_chapters_name,
    sidecar_chapters,
    with_chapters,
)
from desktop_app.formats.htmltranscript import looks_like_podcast_html, read_podcast_html
from desktop_app.formats.jsonformats import read_json, read_tsv
from desktop_app.formats.model import (
    Cue,
    DocumentBuilder,
    Parsed,
    Transcript,
    TranscriptError,
    Turn,
    count_words,
    sha256_text,
)
from desktop_app.formats.plaintext import read_text
from desktop_app.formats.source import MAX_FILE_BYTES, decode, normalize_newlines, read_bytes
from desktop_app.formats.subtitles import read_subtitles

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = [
    "FILE_DIALOG_FILTER",
    "FORMAT_NAMES",
    "MAX_FILE_BYTES",
    "SUPPORTED_DESCRIPTION",
    "SUPPORTED_SUFFIXES",
    "Cue",
    "DocumentBuilder",
    "Parsed",
    "Transcript",
    "TranscriptError",
    "Turn",
    "count_words",
    "decode",
    "detect",
    "load",
    "load_transcript",
    "normalize_newlines",
    "parse",
    "read_bytes",
    "sha256_text",
    "title_from_path",
    "known_title",
]

SUPPORTED_SUFFIXES = (
    ".txt",
    ".md",
    ".markdown",
    ".srt",
    ".vtt",
    ".sbv",
    ".tsv",
    ".csv",
    ".json",
    ".html",
    ".htm",
)
"""The extensions the Open dialog offers (content decides the format; any extension is tried)."""

FILE_DIALOG_FILTER = ";;".join(
    [
        "Transcripts (" + " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES) + ")",
        "Plain text and Markdown (*.txt *.md *.markdown)",
        "Subtitles: SubRip, WebVTT, YouTube captions (*.srt *.vtt *.sbv)",
        "Whisper and transcript JSON (*.json *.tsv *.csv)",
        "Podcast transcripts (*.json *.html *.htm *.vtt *.srt)",
        "All files (*)",
    ]
)
"""A Qt file-dialog filter string (plain text: Qt-free) for the supported formats."""

SUPPORTED_DESCRIPTION = (
    "plain text and Markdown (.txt, .md, with or without speaker names), subtitles "
    "(.srt, .vtt, .sbv, YouTube captions), Whisper output (.txt, .srt, .vtt, .tsv, .csv, .json) and "
    "podcast transcripts (Podcasting 2.0 JSON or HTML, YouTube transcript JSON)"
)

FORMAT_NAMES = {
    "text": "Plain text",
    "markdown": "Markdown",
    "srt": "SubRip subtitles",
    "vtt": "WebVTT subtitles",
    "sbv": "YouTube SubViewer subtitles",
    "youtube-vtt": "YouTube automatic captions",
    "youtube-json": "YouTube transcript (JSON)",
    "youtube-json3": "YouTube captions (json3)",
    "whisper-json": "Whisper transcript (JSON)",
    "whisper-tsv": "Whisper transcript (TSV)",
    "podcast-json": "Podcasting 2.0 transcript (JSON)",
    "podcast-html": "Podcasting 2.0 transcript (HTML)",
}
"""Format codes (``Transcript.format``) and the words to show a user for them."""

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.doc)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio file"),
    (b"fLaC", "a FLAC audio file"),
    (b"RIFF", "a WAV audio or AVI video file"),
    (b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xfd7zXZ", "an XZ-compressed file"),
)
_TIMING_LINE_RE = re.compile(r"^\s*(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\s*-->", re.MULTILINE)
_JSON_START_RE = re.compile(
    r'^(?:\{\s*(?:"|\}|$)|\[\s*(?:[{\["\]]|-?\d+(?:\.\d+)?\s*[,\]]|true|false|null|$))'
)
_SBV_TIMING_RE = re.compile(
    r"^[ \t]*(\d{1,2}:\d{2}:\d{2}\.\d{3}),(\d{1,2}:\d{2}:\d{2}\.\d{3})[ \t]*$", re.MULTILINE
)
_MARKDOWN_HINT_RE = re.compile(r"^(?:\s{0,3}#{1,6}\s|\*\*[^*\n]{1,40}:?\*\*|---$)", re.MULTILINE)


_SUFFIXES_OF = {
    "json": (".json", ".json3"),
    "tsv": (".tsv", ".csv"),
    "vtt": (".vtt",),
    "srt": (".srt",),
    "sbv": (".sbv",),
}
_KIND_NAMES = {
    "json": "JSON",
    "tsv": "a Whisper TSV file",
    "vtt": "WebVTT subtitles",
    "srt": "SubRip subtitles",
    "sbv": "SubViewer subtitles",
}


def _refusal(name: str, what: str) -> TranscriptError:
    return TranscriptError(
        f"{name} looks like {what}, not a transcript. Transcript Reader opens {SUPPORTED_DESCRIPTION}."
    )


def _sniff_binary(data: bytes, name: str) -> None:
    """Refuse files whose first bytes say what else they are."""
    head = data[:64]
    if head.startswith(b"PK\x03\x04"):
        window = data[:4096]
        what = (
            "a Word document (.docx)"
            if b"word/" in window
            else "an OpenDocument file"
            if b"opendocument" in window
            else "an e-book (EPUB)"
            if b"epub" in window
            else "a ZIP archive"
        )
        raise _refusal(name, what)
    if head[4:8] == b"ftyp":
        raise _refusal(name, "an MP4/M4A audio or video file")
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise _refusal(name, what)


def detect(text: str, suffix: str) -> str:
    """The reader for a decoded text: ``vtt``, ``srt``, ``json``, ``tsv``, ``markdown`` or ``text``;
    ``html``/``xml`` for content that is refused."""
    head = text.lstrip("\ufeff \t\n")[:4096]
    if head.startswith("WEBVTT"):
        return "vtt"
    lowered = head[:1000].lower()
    if head.startswith("<"):
        if "<tt" in lowered and "ttml" in lowered:
            return "ttml"
        if (
            "<html" in lowered
            or "<!doctype html" in lowered
            or "<body" in lowered
            or "<head" in lowered
            or "<cite" in lowered
            or "<p>" in lowered
            or "<div" in lowered
        ):
            return "html"
        if head.startswith("<?xml"):
            return "xml"
    if _JSON_START_RE.match(head):
        return "json"
    if head.split("\n", 1)[0].strip().lower().replace(" ", "") in ("start\tend\ttext", "start,end,text"):
        return "tsv"
    if _TIMING_LINE_RE.search(head):
        return "vtt" if suffix == ".vtt" else "srt"
    if _SBV_TIMING_RE.match(head):
        return "sbv"
    if suffix in (".md", ".markdown") or _MARKDOWN_HINT_RE.search(head):
        return "markdown"
    return "text"


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: a reader allocates ~10 objects a word and creates no cycles,
    and the collector's passes over them were a third of the time of a 3-hour caption file."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse(text: str, name: str, suffix: str = "") -> Parsed:
    """A decoded text as a document, by its content (``suffix`` breaks ties); ``TranscriptError`` when the
    content is not a transcript format."""
    with _collector_paused():
        return _parse(text, name, suffix)


def _parse(text: str, name: str, suffix: str) -> Parsed:
    kind = detect(text, suffix)
    if kind == "html" and looks_like_podcast_html(text):
        return read_podcast_html(text)
    if kind == "html":
        raise _refusal(name, "a web page (HTML); save the transcript's text or subtitles instead")
    if kind == "ttml":
        raise _refusal(name, "TTML/DFXP subtitles (XML)")
    if kind == "xml":
        raise _refusal(name, "an XML document")
    if kind == "vtt" and is_chapters_name(name) and (chapters := chapters_from_vtt(text)):
        raise chapters_file_refusal(name, chapters)
    try:
        if kind == "json":
            return read_json(text, name)
        if kind == "tsv":
            return read_tsv(text, name)
        if kind in ("vtt", "srt"):
            return read_subtitles(text, name, kind)
        if kind == "sbv":  # YouTube's SubViewer: "0:00:01.000,0:00:03.500" timing lines
            parsed = read_subtitles(_SBV_TIMING_RE.sub(r"\1 --> \2", text), name, "srt")
            return Parsed(parsed.text, "sbv", parsed.cues, parsed.turns, parsed.title, parsed.warnings)
    except TranscriptError as error:
        if suffix in _SUFFIXES_OF.get(kind, ()) or kind == "json" and "is a JSON file" in str(error):
            raise
        parsed = read_text(text, markdown=suffix in (".md", ".markdown"))  # e.g. a .txt that begins with "["
        note = f"{name} looked like {_KIND_NAMES[kind]} but could not be read as such ({error}); it was read as text."
        return replace(parsed, warnings=parsed.warnings + (note,))  # its chapters and pace kept
    parsed = read_text(text, markdown=kind == "markdown")
    if suffix in (".srt", ".vtt"):
        note = f"{name} has no subtitle timings; it was read as plain text."
        parsed = replace(parsed, warnings=parsed.warnings + (note,))
    return parsed


def title_from_path(path: Path) -> str:
    """``lex-416-yann-lecun.srt`` -> ``Lex 416 Yann Lecun``; a hash-like name -> ``Transcript``."""
    stem = path.stem
    if stem.lower().endswith((".en", ".en-us", ".en-gb", ".live_chat")) or re.search(
        r"\.[a-z]{2}(-[A-Za-z]+)?$", stem
    ):
        stem = stem.rsplit(".", 1)[0]  # yt-dlp's "Title [id].en.vtt"
    stem = re.sub(r"\s*\[[A-Za-z0-9_-]{11}\]$", "", stem)  # yt-dlp's video id
    stem = re.sub(r"^\d{3}_[0-9a-f]{16}$", "Transcript", stem)
    words = re.sub(r"[_\-]+", " ", stem).split()
    if words and stem == stem.lower():
        words = [w.capitalize() for w in words]
    return " ".join(words) or "Transcript"


def known_title(text: str) -> str | None:
    """A real title for Lex Fridman episodes, whose introduction names the guest ("a conversation with ...")."""
    head = " ".join(text[:4000].split())
    lowered = head.lower()
    if "podcast" not in lowered or not ("freedman" in lowered or "fridman" in lowered):
        return None
    match = re.search(
        r"conversation with ([A-Za-z][A-Za-z.' -]{2,40}?)(?: his| her| their| who|,| he | she | this | the )",
        head,
        re.IGNORECASE,
    )
    if not match or not match.group(1)[0].isupper():  # a name, not "the founding members of …"
        return None
    guest = " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in match.group(1).split())
    return f"Lex Fridman Podcast: {guest}"


def load(
    path: str | os.PathLike[str], title: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> Transcript:
    """Load a transcript file of any supported format; raises :class:`TranscriptError` with a message for
    the user (what the file is, what is read)."""
    file_path = Path(path).expanduser()
    data = read_bytes(file_path, max_bytes)
    name = file_path.name
    if not data.strip():
        raise TranscriptError(f"{name} is empty.")
    _sniff_binary(data, name)
    text, warnings = decode(data, name)
    parsed = parse(text, name, file_path.suffix.lower())
    if not parsed.text.strip():
        raise TranscriptError(f"{name} contains no text.")
    if not parsed.chapters:
        parsed = _with_sidecar_chapters(parsed, file_path)
    warnings.extend(parsed.warnings)
    return Transcript(
        text=parsed.text,
        title=title or parsed.title or known_title(parsed.text) or title_from_path(file_path),
        source=str(file_path.resolve()),
        format=parsed.format,
        sha256=sha256_text(parsed.text),
        cues=parsed.cues,
        warnings=tuple(warnings),
        turns=parsed.turns,
        chapters=parsed.chapters,
        words_per_minute=parsed.words_per_minute,
    )


def _with_sidecar_chapters(parsed: Parsed, file_path: Path) -> Parsed:
    """The parsed file with the chapters of a chapters file beside it (Podcasting 2.0 JSON), if any."""
    found = sidecar_chapters(file_path)
    if found is None:
        return parsed
    chapters_file, chapters = found
    return with_chapters(parsed, chapters, chapters_file.name)


load_transcript = load
"""The app's entry point since the first version (``desktop_app.transcript.load_transcript``)."""
