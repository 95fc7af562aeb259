"""YouTube captions: yt-dlp's rolling automatic captions (and the property that any word list reads back
exactly), manual captions, the transcript fetchers' JSON, json3 and YouTube Studio's .sbv."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
from format_samples import DATA, assert_clean, rolling_vtt, turns

from desktop_app.formats import load, parse

if TYPE_CHECKING:
    from pathlib import Path


def test_youtube_auto_captions_each_word_once_with_its_time() -> None:
    t = load(DATA / "youtube-auto [dQw4w9WgXcQ].en.vtt")
    assert t.format == "youtube-vtt"
    assert t.title == "Youtube Auto"
    assert t.text == "so today we're going to talk about search and no no no no no no yeah Q&A time"
    assert_clean(t)
    assert t.warnings == ()
    assert t.time_at(t.text.index("today")) == pytest.approx(0.359)
    assert t.time_at(t.text.index("search")) == pytest.approx(3.0)
    assert t.time_at(t.text.index("yeah")) == pytest.approx(11.01)
    assert [c.t_start for c in t.cues] == sorted(c.t_start for c in t.cues)


def test_youtube_manual_captions() -> None:
    t = load(DATA / "youtube-manual.en.vtt")
    assert t.format == "vtt"
    assert (
        t.text
        == "Welcome back to the channel. Today we're looking at tide pools & the creatures that live in them."
    )
    assert_clean(t)
    assert t.time_at(0) == pytest.approx(3.5)


def test_youtube_transcript_fetcher_json() -> None:
    t = load(DATA / "youtube-fetcher.json")
    assert t.format == "youtube-json"
    assert t.text == "hey everyone welcome back to the channel today we're talking about sourdough & starters"
    assert t.time_at(t.text.index("today")) == pytest.approx(5.56)


def test_youtube_json3(tmp_path: Path) -> None:
    path = tmp_path / "talk.en.json3"
    path.write_text(
        '{"wireMagic": "pb3", "events": [{"tStartMs": 0, "dDurationMs": 5000, "id": 1},'
        '{"tStartMs": 120, "dDurationMs": 4000, "wWinId": 1, "segs": [{"utf8": "so"},'
        '{"utf8": " today", "tOffsetMs": 240}]},'
        '{"tStartMs": 2000, "wWinId": 1, "aAppend": 1, "segs": [{"utf8": "\\n"}]},'
        '{"tStartMs": 2010, "dDurationMs": 3000, "wWinId": 1, "segs": [{"utf8": "we"},'
        '{"utf8": " begin", "tOffsetMs": 300}]}]}',
        encoding="utf-8",
    )
    t = load(path)
    assert t.format == "youtube-json3"
    assert t.text == "so today we begin"
    assert t.time_at(t.text.index("today")) == pytest.approx(0.36)


def test_youtube_studio_sbv_with_speaker_markers() -> None:
    t = load(DATA / "youtube-studio.sbv")
    assert t.format == "sbv"
    assert (
        t.text
        == "Hi, my name is Maya Ortiz and this is Sam Lee.\nAnd we run the harbour bakery.\nLet's start."
    )
    assert [s for s, _ in turns(t)] == ["MAYA", "SAM", "MAYA"]
    assert t.time_at(t.text.index("And we")) == pytest.approx(4.16)


def test_rolling_captions_read_back_as_the_spoken_words() -> None:
    rng = random.Random(1234)
    vocabulary = ["no", "yes", "the", "so", "I", "don't", "know", "we're", "it's", "uh", "AI", "1.5", "Q&A"]
    for _ in range(300):
        words = [rng.choice(vocabulary[: rng.randint(1, len(vocabulary))]) for _ in range(rng.randint(1, 60))]
        text = rolling_vtt([w.replace("&", "&amp;") for w in words], rng)
        parsed = parse(text, "auto.en.vtt", ".vtt")
        assert parsed.text.split() == words, text
        assert len(parsed.cues) == len(words)


def test_rolling_captions_without_word_times_or_snap_cues() -> None:
    lines = [
        "so here we are",
        "at the start of",
        "a long talk about",
        "tide pools and",
        "the things in them",
        "that we found",
    ]
    cues = [
        f"00:00:{k:02d}.000 --> 00:00:{k + 1:02d}.000\n{a}\n{b}\n"
        for k, (a, b) in enumerate(zip(lines, lines[1:], strict=False))
    ]
    parsed = parse(
        "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nso here we are\n\n" + "\n".join(cues), "r.vtt", ".vtt"
    )
    assert parsed.text == " ".join(lines)
    assert parsed.format == "youtube-vtt"
