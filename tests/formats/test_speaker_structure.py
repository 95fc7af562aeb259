"""Speakers and times as structure: paragraphs, the command line, the exports and the search filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from format_samples import DATA, FOUR_TURNS

from desktop_app.formats import load

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_every_turn_starts_a_paragraph_that_carries_its_speaker() -> None:
    from desktop_app.readability import segmentation as readability

    for name in ("otter.txt", "podcast.json", "podcast-voices.vtt", "blank-line-turns.txt"):
        t = load(DATA / name)
        readable = readability.segment(t.text, turns=t.turns)
        starts = {p.start: p.speaker for p in readable.paragraphs}
        for turn in t.turns:
            assert starts.get(turn.start) == turn.speaker, (name, turn)
        assert all(p.speaker == t.speaker_at(p.start) for p in readable.paragraphs)
        cached = readability.readable_from_cache(readability.readable_to_cache(readable), t.turns)
        assert cached == readable
        assert readable.speakers == t.speakers


def test_turns_that_do_not_start_a_line_still_start_a_paragraph() -> None:
    from desktop_app.formats import Turn
    from desktop_app.readability import segmentation as readability

    text = "Hello there. How are you doing today? I am fine, thanks for asking. Good to hear."
    cut = text.index("I am")
    readable = readability.segment(text, turns=[Turn(0, cut - 1, "A"), Turn(cut, len(text), "B")])
    assert [(p.start, p.speaker) for p in readable.paragraphs] == [(0, "A"), (cut, "B")]


def test_cli_paragraphs_json_has_text_format_speakers_display_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from desktop_app import cli

    assert cli.main(["paragraphs", str(DATA / "rev.txt"), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["format"] == "text"
    assert payload["speakers"] == ["Sarah Chen", "Marcus Webb"]
    first = payload["paragraphs"][0]
    assert payload["text"][first["start"] : first["end"]].startswith("Thanks for joining me today.")
    assert first["display"].startswith("Thanks for joining me today.")
    assert (first["speaker"], first["time"]) == ("Sarah Chen", 2.0)
    assert [p["speaker"] for p in payload["paragraphs"]] == FOUR_TURNS


def test_cli_paragraphs_as_text_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app import cli

    assert cli.main(["paragraphs", str(DATA / "podcast.json"), "--timestamps"]) == 0
    assert (
        capsys.readouterr().out.split("\n\n")[1] == "[00:01] Jerod Santo: Hi Chris! Welcome to the Q&A show."
    )
    assert cli.main(["paragraphs", str(DATA / "podcast.json"), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Podcast\n\n**Chris Coyier:** Hey there, Jerod.")
    assert "[" not in markdown


def test_cli_refusal_is_exit_2_with_the_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from desktop_app import cli

    path = tmp_path / "page.html"
    path.write_text("<html><body>hello</body></html>", "utf-8")
    assert cli.main(["paragraphs", str(path), "--json"]) == cli.EXIT_BAD_INPUT
    assert "web page" in capsys.readouterr().err


def test_exports_carry_speaker_and_time() -> None:
    import json

    from desktop_app.annotations.model import Annotation
    from desktop_app.export import to_markdown, to_web_annotation_json
    from desktop_app.timeline import Timeline

    t = load(DATA / "rev.txt")
    start = t.text.index("fishing boat")
    notes = [Annotation.create(t.text, start, start + len("fishing boat"))]
    markdown = to_markdown(
        t.title, t.text, notes, timeline=Timeline.of_transcript(t), speaker_of=t.speaker_at
    )
    assert "> **Marcus Webb:** fishing boat" in markdown
    assert "*00:" in markdown
    record = json.loads(
        to_web_annotation_json(t.title, t.text, notes, time_of=t.time_at, speaker_of=t.speaker_at)
    )["first"]["items"][0]
    assert record["speaker"] == "Marcus Webb"
    assert 9.0 < record["time"] < 14.0


def test_search_speaker_filter(tmp_path: Path) -> None:
    from desktop_app.readability import segmentation as readability
    from desktop_app.search.index import SearchIndex
    from desktop_app.search.query import split_speaker_filter

    assert split_speaker_filter('boat speaker:"Marcus Webb" speaker:sarah') == (
        "boat",
        ("Marcus Webb", "sarah"),
    )
    t = load(DATA / "otter.txt")
    readable = readability.segment(t.text, turns=t.turns)
    index = SearchIndex.open_or_build(
        tmp_path / "search",
        t.sha256,
        t.text,
        [(p.start, p.end) for p in readable.paragraphs],
        speakers=[p.speaker for p in readable.paragraphs],
    )
    try:
        everyone = index.search("me")
        assert everyone.total == 2  # "joining me", "Tell me"
        marcus = index.search("the speaker:marcus")
        assert marcus.total >= 1
        assert all(t.speaker_at(h.start) == "Marcus Webb" for h in marcus.hits)
        sarah = index.search('the speaker:"Sarah Chen"')
        assert sarah.hits and all(t.speaker_at(h.start) == "Sarah Chen" for h in sarah.hits)
        assert marcus.total + sarah.total == index.search("the").total
        unknown = index.search("boat speaker:Zoe")
        assert unknown.total == 0 and unknown.error and "Marcus Webb" in unknown.error
    finally:
        index.close()


def test_caption_speaker_marks_start_a_paragraph_and_are_not_text(tmp_path: Path) -> None:
    """Captions mark a new speaker with ">>" (YouTube, broadcast captions), and captions saved as text often
    carry it as "&gt;&gt;" (13 of the library corpus's 375 episodes): the mark showed as text, and "Gt;&gt"
    became a chapter title."""
    cues = "".join(
        f"{i}\n00:00:{i:02d},000 --> 00:00:{i + 1:02d},000\n{'>> ' if i in (4, 9) else ''}cue {i} words here\n\n"
        for i in range(1, 12)
    )
    srt = tmp_path / "talk.srt"
    srt.write_text(cues, "utf-8")
    t = load(srt)
    assert ">" not in t.text
    lines = t.text.split("\n")
    assert [line.split()[1] for line in lines] == ["1", "4", "9"]
    assert t.time_at(t.text.index("cue 4")) == 4.0

    text = tmp_path / "captions.txt"
    text.write_text(
        "so how did it start? &gt;&gt; yeah. well it started on a boat. &gt;&gt; on a boat? Q&amp;A later\n",
        "utf-8",
    )
    assert load(text).text.split("\n") == [
        "so how did it start?",
        "yeah. well it started on a boat.",
        "on a boat? Q&A later",
    ]


def test_a_shift_operator_in_running_text_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "code.txt"
    path.write_text("we wrote x>>2 and then cout << y in the loop\n", "utf-8")
    assert load(path).text.strip() == "we wrote x>>2 and then cout << y in the loop"


def test_cues_whose_first_line_names_the_speaker(tmp_path: Path) -> None:
    """Cues that name their speaker on a line of its own, in brackets and with a dash between two speakers'
    lines (as some captioning tools write them): the names were text, "(Danyel Fisher) I wanted…"."""
    vtt = tmp_path / "interview.vtt"
    vtt.write_text(
        "WEBVTT\n\n"
        "00:00:08.000 --> 00:00:12.000\n(Danyel Fisher)\nI wanted to start with a little background\n\n"
        "00:00:12.000 --> 00:00:16.000\n(Danyel Fisher)\nso we know who we're talking to.\n-\n \n"
        "(Dana Bettinger)\nSafari wise or life wise?\n\n"
        "00:00:16.000 --> 00:00:20.000\n(Danyel Fisher)\nLet's go with life wise.\n",
        "utf-8",
    )
    t = load(vtt)
    assert t.text.split("\n") == [
        "I wanted to start with a little background so we know who we're talking to.",
        "Safari wise or life wise?",
        "Let's go with life wise.",
    ]
    assert [turn.speaker for turn in t.turns] == ["Danyel Fisher", "Dana Bettinger", "Danyel Fisher"]

    srt = tmp_path / "edit.srt"  # a video editor's export: the speaker's name on the first line of each cue
    srt.write_text(
        "".join(
            f"{i + 1}\n00:00:{2 * i:02d},000 --> 00:00:{2 * i + 2:02d},000\n{name}\nline {i} of the cut\n\n"
            for i, name in enumerate(["Joe", "Adam", "Joe", "Adam"])
        ),
        "utf-8",
    )
    assert [turn.speaker for turn in load(srt).turns] == ["Joe", "Adam", "Joe", "Adam"]


def test_two_line_cues_of_ordinary_captions_keep_their_first_line(tmp_path: Path) -> None:
    srt = tmp_path / "film.srt"
    srt.write_text(
        "".join(
            f"{i + 1}\n00:00:{2 * i:02d},000 --> 00:00:{2 * i + 2:02d},000\n{first}\nand the rest of it\n\n"
            for i, first in enumerate(["Hello", "Wait", "Hello", "Look at this", "Wait"] + ["so then"] * 20)
        ),
        "utf-8",
    )
    t = load(srt)
    assert t.turns == () and t.text.startswith("Hello and the rest of it Wait and the rest")


def test_sound_descriptions_with_more_words_are_not_text(tmp_path: Path) -> None:
    """Broadcast and Rev captions describe sounds at more length: "[MUSIC PLAYING]", "[inaudible 00:12:03]"."""
    cues = [
        "[MUSIC PLAYING] Welcome back.",
        "[inaudible 00:12:03] so that was it",
        "[laughter continues]",
        "Right.",
    ]
    srt = tmp_path / "show.srt"
    srt.write_text(
        "".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i + 1},000\n{c}\n\n" for i, c in enumerate(cues)),
        "utf-8",
    )
    assert load(srt).text == "Welcome back. so that was it Right."


def test_a_cue_of_two_dashed_lines_is_two_people_speaking(tmp_path: Path) -> None:
    """Subtitles write two speakers in one cue as "- How are you?" / "- Fine.": the dashes stayed in the
    text (they went only once a speaker name was known) and both lines ran into one sentence."""
    srt = tmp_path / "news.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nWe are live from the harbour.\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\n- How are you?\n- I'm fine, thanks.\n\n"
        "3\n00:00:05,000 --> 00:00:07,000\nThe boats came in at dawn.\n\n"
        "4\n00:00:07,000 --> 00:00:09,000\n- a well-known fact - and a hyphen\n",
        "utf-8",
    )
    assert load(srt).text.split("\n") == [
        "We are live from the harbour.",
        "How are you?",
        "I'm fine, thanks. The boats came in at dawn. - a well-known fact - and a hyphen",
    ]


def test_captioners_bracketed_speaker_ids(tmp_path: Path) -> None:
    """Closed captions name the speaker in brackets at a line's start ("[Sam] So…"): the names stayed text.
    Sounds in brackets, capitals or not, are no speakers."""
    cues = [
        "[Sam] So how did it start?",
        "[Lex] On a boat.",
        "[Ann Lee] A boat?",
        "[Lex] (Laughs) Yes, a boat.",
        "[DOOR SLAMS] it was loud",
        "(Laughs) really loud",
        "[DOOR SLAMS] again",
    ]
    srt = tmp_path / "show.srt"
    srt.write_text(
        "".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i + 1},000\n{c}\n\n" for i, c in enumerate(cues)),
        "utf-8",
    )
    t = load(srt)
    assert t.speakers == ("Sam", "Lex", "Ann Lee")  # Ann Lee speaks once: named because the others recur
    assert t.text.split("\n") == [
        "So how did it start?",
        "On a boat.",
        "A boat?",
        "(Laughs) Yes, a boat. [DOOR SLAMS] it was loud (Laughs) really loud [DOOR SLAMS] again",
    ]
