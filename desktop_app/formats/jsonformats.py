"""Transcript JSON: Podcasting 2.0, Whisper (openai-whisper, faster-whisper, WhisperX), YouTube transcript
fetchers and YouTube's own ``json3`` captions (no Qt).

Each reader checks the shape it expects and returns ``None`` when the data is not its format, so
:func:`read_json` can say plainly that a JSON file is not a transcript.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from desktop_app.formats.chapter_files import chapters_file_refusal, chapters_from_json
from desktop_app.formats.markup import plain
from desktop_app.formats.model import DocumentBuilder, Parsed, TranscriptError
from desktop_app.formats.subtitles import _SOUND_RE

if TYPE_CHECKING:
    from collections.abc import Callable

_PUNCT_START = tuple(",.;:!?%)]}’”…")


def _number(value: Any) -> float | None:
    """A time in seconds from a JSON number or numeric string (``"00:01:02.5"`` too); ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and 0 < len(value) <= 20:
        try:
            number = 0.0
            for part in value.strip().replace(",", ".").split(":"):
                number = number * 60 + float(part)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _text(value: Any) -> str:
    return plain(value) if isinstance(value, str) else ""


def read_podcast(data: Any) -> Parsed | None:
    """Podcasting 2.0 JSON: ``{"version", "segments": [{"speaker", "startTime", "endTime", "body"}]}``."""
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        return None
    segments = [s for s in data["segments"] if isinstance(s, dict)]
    if not segments or not any("body" in s for s in segments[:50]):
        return None
    out = DocumentBuilder()
    speaker: str | None = None
    for seg in segments:
        if isinstance(seg.get("speaker"), str) and seg["speaker"].strip():
            speaker = " ".join(plain(seg["speaker"]).split())
        body = _text(seg.get("body"))
        out.add(
            body,
            _number(seg.get("startTime")),
            _number(seg.get("endTime")),
            speaker,
            glue=body.startswith(_PUNCT_START),
        )
    return out.build("podcast-json")


def read_whisper(data: Any) -> Parsed | None:
    """Whisper JSON: ``{"text", "segments": [{"start", "end", "text", "words"?: [{"word", "start", "end"}],
    "speaker"?}]}`` (``words`` from ``word_timestamps=True``; ``speaker`` from WhisperX diarisation)."""
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        return None
    segments = [s for s in data["segments"] if isinstance(s, dict)]
    if (
        not segments
        or not all("text" in s or "words" in s for s in segments[:50])
        or not any("start" in s for s in segments[:50])
    ):
        return None
    out = DocumentBuilder()
    for seg in segments:
        speaker = plain(seg["speaker"]) if isinstance(seg.get("speaker"), str) else None
        words = [w for w in seg.get("words") or () if isinstance(w, dict)]
        if words and all(_number(w.get("start")) is not None for w in words):
            for k, word in enumerate(words):
                raw = word.get("word", word.get("text"))
                raw = raw if isinstance(raw, str) else ""
                glue = k > 0 and not raw[:1].isspace() and raw.strip().startswith(_PUNCT_START)
                out.add(
                    plain(raw),
                    _number(word.get("start")),
                    _number(word.get("end")),
                    speaker or (plain(word["speaker"]) if isinstance(word.get("speaker"), str) else None),
                    glue=glue,
                )
        else:
            out.add(_text(seg.get("text")), _number(seg.get("start")), _number(seg.get("end")), speaker)
    return out.build("whisper-json")


def read_fetcher(data: Any) -> Parsed | None:
    """The YouTube transcript fetchers' list: ``[{"text", "start", "duration"}]``."""
    if not isinstance(data, list) or not data:
        return None
    items = [x for x in data if isinstance(x, dict)]
    if len(items) < len(data) * 0.9 or not all("text" in x and "start" in x for x in items[:50]):
        return None
    out = DocumentBuilder()
    for item in items:
        start = _number(item.get("start"))
        duration = _number(item.get("duration"))
        end = start + duration if start is not None and duration is not None else None
        out.add(_SOUND_RE.sub(" ", _text(item.get("text"))), start, end)
    return out.build("youtube-json")


def read_json3(data: Any) -> Parsed | None:
    """YouTube's ``json3`` captions (yt-dlp ``--sub-format json3``): ``{"events": [{"tStartMs", "segs":
    [{"utf8", "tOffsetMs"}]}]}``; the rolling display's "append" events add no words."""
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        return None
    events = [e for e in data["events"] if isinstance(e, dict)]
    if not any("segs" in e for e in events[:200]):
        return None
    out = DocumentBuilder()
    for event in events:
        segs = event.get("segs")
        if not isinstance(segs, list) or event.get("aAppend"):
            continue
        t0 = _number(event.get("tStartMs"))
        for seg in segs:
            if not isinstance(seg, dict):
                continue
            offset = _number(seg.get("tOffsetMs")) or 0.0
            text = _SOUND_RE.sub(" ", _text(seg.get("utf8")))
            out.add(text, None if t0 is None else (t0 + offset) / 1000)
    return out.build("youtube-json3")


def read_whisper_cpp(data: Any) -> Parsed | None:
    """whisper.cpp's ``-oj`` JSON: ``{"transcription": [{"offsets": {"from", "to"} (ms), "text"}]}``
    (``-ojf`` adds ``tokens``; the text is enough)."""
    if not isinstance(data, dict) or not isinstance(data.get("transcription"), list):
        return None
    out = DocumentBuilder()
    for item in data["transcription"]:
        if not isinstance(item, dict):
            continue
        offsets: dict[str, Any] = item["offsets"] if isinstance(item.get("offsets"), dict) else {}
        start, end = _number(offsets.get("from")), _number(offsets.get("to"))
        out.add(
            _text(item.get("text")),
            None if start is None else start / 1000,
            None if end is None else end / 1000,
            plain(item["speaker"]) if isinstance(item.get("speaker"), str) else None,
        )
    return out.build("whisper-json")


READERS: tuple[Callable[[Any], Parsed | None], ...] = (
    read_podcast,
    read_whisper,
    read_whisper_cpp,
    read_fetcher,
    read_json3,
)


def read_json(text: str, name: str) -> Parsed:
    """A transcript JSON file as a document; ``TranscriptError`` for JSON of any other kind."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise TranscriptError(f"{name} looks like JSON but cannot be read as JSON ({error}).") from error
    for reader in READERS:
        parsed = reader(data)
        if parsed is not None:
            if not parsed.text.strip():
                raise TranscriptError(f"{name} is a transcript JSON file with no text in it.")
            return parsed
    chapters = chapters_from_json(data)
    if chapters:
        raise chapters_file_refusal(name, chapters)
    raise TranscriptError(
        f"{name} is a JSON file, but not one of the transcript JSON formats this app reads "
        f"(Podcasting 2.0, Whisper, YouTube transcript)."
    )


def read_tsv(text: str, name: str) -> Parsed:
    """Whisper's ``.tsv``: a ``start<TAB>end<TAB>text`` header, then times in milliseconds; whisper.cpp's
    ``.csv`` the same with commas and the text in double quotes."""
    out = DocumentBuilder()
    bad = 0
    lines = text.split("\n")
    comma = "\t" not in lines[0]
    for line in lines[1:]:
        if not line.strip():
            continue
        parts = line.split(",", 2) if comma else line.split("\t", 2)
        if comma and len(parts) == 3:
            parts[2] = parts[2].strip()
            if len(parts[2]) >= 2 and parts[2][0] == parts[2][-1] == '"':
                parts[2] = parts[2][1:-1].replace('""', '"')
        if len(parts) != 3 or not parts[0].strip().isdigit() or not parts[1].strip().isdigit():
            bad += 1
            continue
        out.add(plain(parts[2]), int(parts[0]) / 1000, int(parts[1]) / 1000)
    warnings = [f"{name}: {bad} malformed row{'s' if bad > 1 else ''} skipped."] if bad else []
    parsed = out.build("whisper-tsv", warnings=warnings)
    if not parsed.text:
        raise TranscriptError(f"{name} is a Whisper TSV file with no readable rows.")
    return parsed
