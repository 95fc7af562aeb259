"""Whisper outputs: .txt, .tsv, .json (segments, words), .srt, .vtt with MM:SS times, whisper.cpp JSON/CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from format_samples import DATA

from desktop_app.formats import load

if TYPE_CHECKING:
    from pathlib import Path


def test_whisper_txt_lines_join_into_flowing_text() -> None:
    t = load(DATA / "whisper.txt")
    assert t.format == "text"
    assert "\n" not in t.text
    assert t.text.startswith("So I started the company in 2015, and at the time nobody really believed")


def test_whisper_tsv_times_in_milliseconds() -> None:
    t = load(DATA / "whisper.tsv")
    assert t.format == "whisper-tsv"
    assert t.text == (
        "So I started the company in 2015, and at the time nobody believed in it. "
        "We had a tiny office & three people."
    )
    assert t.time_at(t.text.index("We had")) == pytest.approx(5.12)


def test_whisper_json_segments_and_words() -> None:
    t = load(DATA / "whisper.json")
    assert t.format == "whisper-json"
    assert t.text == "So I started the company. Nobody believed in it."
    assert t.time_at(t.text.index("company")) == pytest.approx(1.2)  # a word time
    assert t.time_at(t.text.index("Nobody")) == pytest.approx(2.48)  # a segment time


def test_whisper_srt() -> None:
    t = load(DATA / "whisper.srt")
    assert t.format == "srt"
    assert t.text == "So I started the company in 2015, and at the time nobody believed in it."


def test_whisper_vtt_with_minute_second_times() -> None:
    t = load(DATA / "whisper-mmss.vtt")
    assert t.format == "vtt"
    assert t.time_at(t.text.index("We had")) == pytest.approx(65.12)
    assert t.cues[-1].t_end == pytest.approx(69.0)


def test_whisper_cpp_json_and_csv() -> None:
    t = load(DATA / "whisper-cpp.json")
    assert t.format == "whisper-json"
    assert t.text == "So I started the company in 2015, and at the time nobody believed in it."
    assert t.time_at(t.text.index("and at")) == pytest.approx(2.48)
    c = load(DATA / "whisper-cpp.csv")
    assert c.format == "whisper-tsv"
    assert c.text == 'So I started the company in 2015, and at the time "nobody" believed in it.'


@pytest.mark.parametrize(
    "stamp",
    [
        "[{a}.000 --> {b}.500]  ",  # openai-whisper's console, saved with "> transcript.txt"
        "[00:{a}.000 --> 00:{b}.500]   ",  # whisper.cpp
    ],
)
def test_whisper_s_printed_segments(tmp_path: Path, stamp: str) -> None:
    """The lines Whisper prints as it transcribes: before, "-> 00:05.500]" was left in the text each time."""
    pieces = [
        (0, "so today we are going to talk about"),
        (5, "how search engines rank what"),
        (65, "they find."),
    ]
    rows = [
        stamp.format(a=f"{t // 60:02d}:{t % 60:02d}", b=f"{(t + 5) // 60:02d}:{(t + 5) % 60:02d}") + text
        for t, text in pieces
    ]
    path = tmp_path / "talk.txt"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    t = load(path)
    assert t.text == "so today we are going to talk about how search engines rank what they find."
    assert t.time_at(t.text.index("they find")) == pytest.approx(65.0)
