"""Chapters files beside a transcript (Podcasting 2.0 JSON chapters): found, read leniently, placed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from desktop_app.formats import TranscriptError, load
from desktop_app.formats.chapter_files import chapters_from_json, chapters_from_vtt, sidecar_candidates

if TYPE_CHECKING:
    from pathlib import Path

WORDS = " ".join(f"word{n}" for n in range(3000))  # ~16 minutes at 185 words a minute


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_podcasting20_chapters_are_read_in_time_order_without_hidden_ones() -> None:
    data = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 600.5, "title": "Later"},
            {"startTime": 0, "title": "Intro", "img": "a.png"},
            {"startTime": 300, "title": "Ad break", "toc": False},
        ],
    }
    assert chapters_from_json(data) == [(0.0, "Intro"), (600.5, "Later")]


def test_other_spellings_of_chapter_lists_are_read() -> None:
    assert chapters_from_json([{"start": "1:02:03", "name": "Late"}, {"seconds": 0, "title": "Start"}]) == [
        (0.0, "Start"),
        (3723.0, "Late"),
    ]


@pytest.mark.parametrize(
    "data",
    [{"segments": []}, {"chapters": []}, [1, 2, 3], {"chapters": [{"title": "no time"}]}, "chapters"],
)
def test_json_that_is_not_a_chapter_list_is_not_taken_for_one(data: object) -> None:
    assert chapters_from_json(data) is None


def test_sidecar_names_go_from_the_most_specific(tmp_path: Path) -> None:
    names = [p.name for p in sidecar_candidates(tmp_path / "Show [abcdefghijk].en.vtt")]
    assert names == [
        "Show [abcdefghijk].en.chapters.json",
        "Show [abcdefghijk].en.chapters.vtt",
        "Show [abcdefghijk].chapters.json",
        "Show [abcdefghijk].chapters.vtt",
        "Show [abcdefghijk].en.info.json",
        "Show [abcdefghijk].info.json",
        "Show [abcdefghijk].en.json",
        "Show [abcdefghijk].json",
        "chapters.json",
        "chapters.vtt",
    ]


def test_a_text_transcript_takes_the_chapters_file_beside_it(tmp_path: Path) -> None:
    transcript = tmp_path / "episode.txt"
    transcript.write_text(WORDS, encoding="utf-8")
    _write(
        tmp_path / "episode.chapters.json",
        {"chapters": [{"startTime": 0, "title": "A"}, {"startTime": 60, "title": "B"}]},
    )
    loaded = load(transcript)
    assert [h.title for h in loaded.chapters] == ["A", "B"]
    assert loaded.chapters[1].start == loaded.text.index("word185 ")  # one minute at 185 words a minute


def test_captions_saved_by_yt_dlp_take_the_chapters_of_the_video(tmp_path: Path) -> None:
    """``yt-dlp --write-auto-subs --write-info-json``: "NAME [id].en.vtt" beside "NAME [id].info.json"."""
    cues = "".join(
        f"{m:02d}:{s:02d}.000 --> {m:02d}:{s + 4:02d}.000\nline {m} {s}\n\n"
        for m in range(12)
        for s in (0, 30)
    )
    captions = tmp_path / "Show [abcdefghijk].en.vtt"
    captions.write_text("WEBVTT\n\n" + cues, encoding="utf-8")
    info = {
        "id": "abcdefghijk",
        "formats": [{"format_id": str(n), "url": "https://example.invalid/" + "x" * 200} for n in range(300)],
        "chapters": [
            {"start_time": 0.0, "title": "Intro", "end_time": 300.0},
            {"start_time": 300.0, "title": "The middle", "end_time": 600.0},
            {"start_time": 600.0, "title": "Questions", "end_time": 720.0},
        ],
    }
    _write(tmp_path / "Show [abcdefghijk].info.json", info)
    loaded = load(captions)
    assert [h.title for h in loaded.chapters] == ["Intro", "The middle", "Questions"]
    assert loaded.text[loaded.chapters[1].start :].startswith("line 5 0")


def test_chapters_past_the_end_of_the_text_are_reported(tmp_path: Path) -> None:
    transcript = tmp_path / "episode.txt"
    transcript.write_text(WORDS, encoding="utf-8")
    chapters = [{"startTime": t, "title": f"C{t}"} for t in (0, 60, 4000, 5000)]
    _write(tmp_path / "chapters.json", {"chapters": chapters})
    loaded = load(transcript)
    assert [h.title for h in loaded.chapters] == ["C0", "C60", "C4000"]  # the first past the end: last word
    assert any("4 chapters" in warning and "3 of them" in warning for warning in loaded.warnings)


def test_a_broken_chapters_file_is_ignored_and_the_transcript_opens(tmp_path: Path) -> None:
    transcript = tmp_path / "episode.txt"
    transcript.write_text(WORDS, encoding="utf-8")
    (tmp_path / "episode.chapters.json").write_text("{not json", encoding="utf-8")
    assert load(transcript).chapters == ()


def test_opening_a_chapters_file_by_itself_says_what_it_is(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ep.chapters.json", {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}
    )
    with pytest.raises(TranscriptError) as raised:
        load(path)
    message = str(raised.value)
    assert (
        "chapters file (1 chapter," in message
        and "not a transcript" in message
        and "ep.chapters.json" in message
    )


@pytest.mark.parametrize(
    ("start", "titles"),
    [
        ("1e400", ["Intro", "Talk"]),
        ("Infinity", ["Intro", "Talk"]),
        ("1e308", ["Intro", "Talk"]),
        ("9" * 400, ["Intro", "Talk"]),
    ],
)
def test_a_chapter_at_an_impossible_time_is_left_out_not_a_crash(
    tmp_path: Path, start: str, titles: list[str]
) -> None:
    """JSON reads 1e400 and Infinity as an infinite float, 1e308 overflows when multiplied by a pace and a
    400-digit integer when made a float: before, each raised OverflowError out of load() for untimed text.
    No such time is a chapter's: it is left out."""
    transcript = tmp_path / "episode.txt"
    transcript.write_text(WORDS, encoding="utf-8")
    (tmp_path / "episode.info.json").write_text(
        '{"chapters": [{"start_time": 0, "title": "Intro"}, {"start_time": 60, "title": "Talk"},'
        f' {{"start_time": {start}, "title": "Broken"}}]}}',
        encoding="utf-8",
    )
    loaded = load(transcript)
    assert [h.title for h in loaded.chapters] == titles


CHAPTERS_VTT = """WEBVTT
Kind: chapters

NOTE written by a podcast editor

chapter-1
00:00:00.000 --> 00:05:00.000
Cold open

chapter-3
00:10:00.000 --> 00:16:00.000
<b>Questions</b> from listeners

chapter-2
00:05:00.000 --> 00:10:00.000
The middle &amp; more
"""


def test_a_webvtt_chapters_track_is_read_in_time_order_with_plain_titles() -> None:
    assert chapters_from_vtt(CHAPTERS_VTT.replace("\n", "\r\n")) == [
        (0.0, "Cold open"),
        (300.0, "The middle & more"),
        (600.0, "Questions from listeners"),
    ]
    assert chapters_from_vtt("WEBVTT\n\nno cues here\n") is None
    assert chapters_from_vtt("WEBVTT\n\n00:00.000 --> 00:01.000\n\n") is None  # cues without titles


def test_captions_take_the_webvtt_chapters_track_beside_them(tmp_path: Path) -> None:
    cues = "".join(
        f"00:{m:02d}:{s:02d}.000 --> 00:{m:02d}:{s + 5:02d}.000\nline {m} {s}\n\n"
        for m in range(16)
        for s in (0, 30)
    )
    captions = tmp_path / "episode.en.vtt"
    captions.write_text("WEBVTT\n\n" + cues, encoding="utf-8")
    (tmp_path / "episode.chapters.vtt").write_text(CHAPTERS_VTT, encoding="utf-8")
    loaded = load(captions)
    assert [h.title for h in loaded.chapters] == [
        "Cold open",
        "The middle & more",
        "Questions from listeners",
    ]
    assert loaded.text[loaded.chapters[2].start :].startswith("line 10 0")


def test_opening_a_webvtt_chapters_track_by_itself_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "episode.chapters.vtt"
    path.write_text(CHAPTERS_VTT, encoding="utf-8")
    with pytest.raises(
        TranscriptError, match=r"is a chapters file \(3 chapters, from “Cold open”\).*episode\.chapters\.vtt"
    ):
        load(path)


def _captions_vtt(cues: int, header: str = "WEBVTT") -> str:
    body = "".join(
        f"00:{n // 20:02d}:{n % 20 * 3:02d}.000 --> 00:{n // 20:02d}:{n % 20 * 3 + 2:02d}.000\nsaid {n}\n\n"
        for n in range(cues)
    )
    return f"{header}\n\n{body}"


def test_captions_under_a_chapters_name_are_not_taken_for_chapters(tmp_path: Path) -> None:
    assert chapters_from_vtt(_captions_vtt(40)) is None  # cues seconds apart: speech
    assert chapters_from_vtt(_captions_vtt(600).replace("said", "Said")) is None
    assert chapters_from_vtt(_captions_vtt(40, "WEBVTT\nKind: chapters")) is not None  # the header says so
    captions = tmp_path / "episode.chapters.vtt"
    captions.write_text(_captions_vtt(300), encoding="utf-8")
    loaded = load(captions)  # read as the captions it is, not refused as a chapters file
    assert loaded.text.startswith("said 0 said 1") and not loaded.chapters
    transcript = tmp_path / "episode.txt"
    transcript.write_text(WORDS, encoding="utf-8")
    assert load(transcript).chapters == ()  # nor given 300 one-line "chapters"


def test_a_plain_chapters_vtt_opened_by_itself_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "chapters.vtt"
    path.write_text(CHAPTERS_VTT, encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"chapters\.vtt is a chapters file \(3 chapters"):
        load(path)
