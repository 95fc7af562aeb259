"""Podcast transcripts: Podcasting 2.0 JSON and HTML, WebVTT voices, SRT with Name: prefixes."""

from __future__ import annotations

import pytest
from format_samples import DATA, assert_clean, turns

from desktop_app.formats import load


def test_podcasting20_json_one_word_segments_and_speakers() -> None:
    t = load(DATA / "podcast.json")
    assert t.format == "podcast-json"
    assert t.text == "Hey there, Jerod.\nHi Chris! Welcome to the Q&A show.\nGlad to be here."
    assert t.speakers == ("Chris Coyier", "Jerod Santo")
    assert turns(t) == [
        ("Chris Coyier", "Hey there, Jerod."),
        ("Jerod Santo", "Hi Chris! Welcome to the"),
        ("Chris Coyier", "Glad to be here."),
    ]
    assert t.time_at(t.text.index("Chris!")) == pytest.approx(2.1)


def test_podcasting20_html_transcript() -> None:
    t = load(DATA / "podcast.html")
    assert t.format == "podcast-html"
    assert t.text == (
        "Hey there, Jerod. Welcome to the Q&A show.\nWe have a lot to cover.\n"
        "Glad to be here, really.\nLet’s begin."
    )
    assert [s for s, _ in turns(t)] == ["Chris Coyier", "Jerod Santo", "Chris Coyier"]
    assert t.speaker_at(t.text.index("We have")) == "Chris Coyier"
    assert t.time_at(t.text.index("Glad")) == pytest.approx(7.0)
    assert t.time_at(t.text.index("Let")) == pytest.approx(3723.5)
    assert_clean(t)


def test_webvtt_voices_merge_into_turns() -> None:
    t = load(DATA / "podcast-voices.vtt")
    assert (
        t.text
        == "Hey there, Jerod. How are things in Omaha?\nPretty good. We have a Q&A later. Stick around."
    )
    assert turns(t) == [
        ("Chris Coyier", "Hey there, Jerod. How ar"),
        ("Jerod Santo", "Pretty good. We have a Q"),
    ]
    assert_clean(t)


def test_srt_name_prefixes_become_turns() -> None:
    t = load(DATA / "podcast-names.srt")
    assert t.text == "Hey there, Jerod. How are things in Omaha?\nPretty good. We have a Q&A later.\nGreat."
    assert [s for s, _ in turns(t)] == ["Chris Coyier", "Jerod Santo", "Chris Coyier"]
