"""Loading transcripts: plain text, SubRip (.srt) and WebVTT (.vtt), in any common encoding.

The result is a :class:`Transcript` whose ``text`` is the *document text*: the immutable string every
offset in the program refers to (design.md §2). The file on disk is never rewritten.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Bigger files are refused: a transcript of 64 MB is ~10 million words, far beyond any interview."""

SUPPORTED_SUFFIXES = (".txt", ".srt", ".vtt")


class TranscriptError(Exception):
    """A file that cannot be opened as a transcript; ``str(error)`` is a message for the user."""


@dataclass(frozen=True)
class Cue:
    """One timed subtitle cue: ``[start, end)`` in the document text, times in seconds."""

    start: int
    end: int
    t_start: float
    t_end: float


@dataclass(frozen=True)
class Transcript:
    """One loaded transcript. ``text`` is the document text all offsets refer to."""

    text: str
    title: str
    source: str
    format: str  # "text", "srt" or "vtt"
    sha256: str
    cues: tuple[Cue, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def word_count(self) -> int:
        return count_words(self.text)

    def time_at(self, offset: int) -> float | None:
        """Seconds into the episode at a document offset, from the cues (``None`` without cues)."""
        if not self.cues:
            return None
        lo, hi = 0, len(self.cues)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cues[mid].end <= offset:
                lo = mid + 1
            else:
                hi = mid
        cue = self.cues[min(lo, len(self.cues) - 1)]
        if offset <= cue.start or cue.end <= cue.start:
            return cue.t_start
        share = min(1.0, (offset - cue.start) / (cue.end - cue.start))
        return cue.t_start + share * (cue.t_end - cue.t_start)


def count_words(text: str) -> int:
    return len(text.split())


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------------
# Reading and decoding
# ----------------------------------------------------------------------------------------------


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or a :class:`TranscriptError` that says plainly what is wrong."""
    try:
        if not path.exists():
            raise TranscriptError(f"The file {path} does not exist.")
        if path.is_dir():
            raise TranscriptError(f"{path} is a folder, not a transcript file.")
        size = path.stat().st_size
        if size > max_bytes:
            raise TranscriptError(
                f"{path.name} is {size / 2**20:.0f} MB; transcripts up to {max_bytes // 2**20} MB can be opened "
                f"here (the seed episode, three hours of talk, is 0.15 MB)."
            )
        return path.read_bytes()
    except PermissionError as error:
        raise TranscriptError(f"You do not have permission to read {path}.") from error
    except OSError as error:
        raise TranscriptError(f"{path} could not be read: {error.strerror or error}.") from error


def decode(data: bytes, name: str = "the file") -> tuple[str, list[str]]:
    """Decode transcript bytes: UTF-8 (BOM allowed), UTF-16 with BOM, else cp1252 with a warning."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8", name)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", name)
    else:
        if b"\x00" in data:
            raise TranscriptError(f"{name} looks like a binary file (it contains NUL bytes), not a transcript.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            warnings.append(f"{name} is not UTF-8; it was read as Windows-1252 (Western European).")
    if "\x00" in text:
        raise TranscriptError(f"{name} contains NUL characters; it does not look like a transcript.")
    if _control_share(text) > 0.01:
        raise TranscriptError(f"{name} looks like a binary file, not a transcript.")
    return normalize_newlines(text), warnings


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise TranscriptError(f"{name} is not valid {encoding.upper()} text ({error.reason}).") from error


def _control_share(text: str) -> float:
    sample = text[:200_000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ----------------------------------------------------------------------------------------------
# Subtitles
# ----------------------------------------------------------------------------------------------

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG_RE = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_SPEAKER_RE = re.compile(r"^(?:-\s*)?(?:\[[^\]]+\]|[A-Z][\w .'-]{0,40}:)\s")
_VTT_VOICE_RE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


@dataclass
class _RawCue:
    t_start: float
    t_end: float
    lines: list[str]
    new_block: bool


def _parse_cues(text: str, fmt: str, name: str) -> list[_RawCue]:
    """Cue blocks of an SRT or VTT file (NOTE/STYLE/REGION blocks skipped)."""
    cues: list[_RawCue] = []
    blocks = re.split(r"\n\s*\n", text.strip("\n\ufeff "))
    for number, block in enumerate(blocks, start=1):
        lines = [line for line in block.split("\n")]
        if fmt == "vtt" and (number == 1 and lines[0].startswith("WEBVTT")):
            lines = lines[1:]
            if not any("-->" in line for line in lines):
                continue
        if lines and lines[0].split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timing_at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing_at is None:
            if all(not line.strip() for line in lines):
                continue
            raise TranscriptError(f"{name}: block {number} has no timing line (expected 'start --> end').")
        match = _TIMING_RE.match(lines[timing_at])
        if match is None:
            raise TranscriptError(f"{name}: block {number} has a malformed timing line: {lines[timing_at][:60]!r}.")
        g = match.groups()
        t_start, t_end = _seconds(*g[0:4]), _seconds(*g[4:8])
        body = [line for line in lines[timing_at + 1 :]]
        cues.append(_RawCue(t_start, max(t_start, t_end), body, new_block=False))
    if not cues:
        raise TranscriptError(f"{name} has no subtitle cues.")
    return cues


def _cue_text(lines: Sequence[str]) -> tuple[str, bool]:
    """The cue's words joined by spaces, and whether it begins with a speaker label."""
    joined = " ".join(line.strip() for line in lines if line.strip())
    speaker = bool(_VTT_VOICE_RE.search(joined)) or bool(_SPEAKER_RE.match(joined))
    voice = _VTT_VOICE_RE.match(joined)
    cleaned = _TAG_RE.sub("", joined)
    if voice:
        cleaned = f"{voice.group(1).strip()}: {cleaned}"
    return " ".join(cleaned.split()), speaker


def subtitles_to_document(text: str, fmt: str, name: str) -> tuple[str, tuple[Cue, ...]]:
    """Join cue texts with single spaces; a speaker label starts a new paragraph block ("\\n\\n")."""
    parts: list[str] = []
    cues: list[Cue] = []
    length = 0
    for raw in _parse_cues(text, fmt, name):
        words, speaker = _cue_text(raw.lines)
        if not words:
            continue
        separator = "" if not parts else ("\n\n" if speaker else " ")
        length += len(separator)
        parts.append(separator + words)
        cues.append(Cue(length, length + len(words), raw.t_start, raw.t_end))
        length += len(words)
    if not cues:
        raise TranscriptError(f"{name} has subtitle cues but no text in them.")
    return "".join(parts), tuple(cues)


# ----------------------------------------------------------------------------------------------
# Public entry point
# ----------------------------------------------------------------------------------------------


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".srt":
        return "srt"
    if suffix == ".vtt" or text.lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt"
    if suffix not in (".txt", "") and _TIMING_RE.search(text[:2000] or ""):
        return "srt"
    return "text"


def title_from_path(path: Path) -> str:
    """``lex-416-yann-lecun.srt`` -> ``Lex 416 Yann Lecun``; a hash-like name -> ``Transcript``."""
    stem = re.sub(r"^\d{3}_[0-9a-f]{16}$", "Transcript", path.stem)
    words = re.sub(r"[_\-]+", " ", stem).split()
    if words and stem == stem.lower():
        words = [w.capitalize() for w in words]
    return " ".join(words) or "Transcript"


def load_transcript(path: str | os.PathLike[str], title: str | None = None,
                    max_bytes: int = MAX_FILE_BYTES) -> Transcript:
    """Load a transcript file; raises :class:`TranscriptError` with a user-facing message."""
    file_path = Path(path).expanduser()
    data = read_bytes(file_path, max_bytes)
    if not data.strip():
        raise TranscriptError(f"{file_path.name} is empty.")
    text, warnings = decode(data, file_path.name)
    fmt = detect_format(file_path, text)
    cues: tuple[Cue, ...] = ()
    if fmt in ("srt", "vtt"):
        text, cues = subtitles_to_document(text, fmt, file_path.name)
    if not text.strip():
        raise TranscriptError(f"{file_path.name} contains no text.")
    for warning in warnings:
        logger.warning(warning)
    return Transcript(
        text=text,
        title=title or known_title(text) or title_from_path(file_path),
        source=str(file_path.resolve()),
        format=fmt,
        sha256=sha256_text(text),
        cues=cues,
        warnings=tuple(warnings),
    )


def known_title(text: str) -> str | None:
    """A real title for Lex Fridman episodes, whose introduction names the guest ("a conversation with ...")."""
    head = " ".join(text[:4000].split())
    lowered = head.lower()
    if "podcast" not in lowered or not ("freedman" in lowered or "fridman" in lowered):
        return None
    match = re.search(r"conversation with ([A-Za-z][A-Za-z.' -]{2,40}?)(?: his| her| their| who|,| he | she | this | the )",
                      head, re.IGNORECASE)
    if not match or not match.group(1)[0].isupper():  # a name, not "the founding members of …"
        return None
    guest = " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in match.group(1).split())
    return f"Lex Fridman Podcast: {guest}"
