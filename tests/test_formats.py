"""The formats package: one test per format and variant (fixtures in tests/data/formats/, written for these
tests), refusals, special files, damaged cues, hostile markup, and the rolling-caption property."""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

import pytest

from desktop_app.formats import (
    FILE_DIALOG_FILTER,
    SUPPORTED_SUFFIXES,
    Transcript,
    TranscriptError,
    load,
    parse,
)
from desktop_app.transcript import load_transcript

DATA = Path(__file__).parent / "data" / "formats"


def turns(transcript: Transcript) -> list[tuple[str, str]]:
    """Each turn's speaker and the start of its text."""
    return [(t.speaker, transcript.text[t.start:t.end][:24]) for t in transcript.turns]


def assert_clean(transcript: Transcript) -> None:
    """No timing line, tag, entity or label markup in the document text."""
    for leak in ("-->", "<", ">", "&amp;", "&#", "**", "WEBVTT", "[Music]", "align:", "00:0"):
        assert leak not in transcript.text, leak
    for turn in transcript.turns:
        assert turn.start == 0 or transcript.text[turn.start - 1] == "\n"


# ------------------------------------------------------------------------------------------------
# YouTube
# ------------------------------------------------------------------------------------------------

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
    assert t.text == "Welcome back to the channel. Today we're looking at tide pools & the creatures that live in them."
    assert_clean(t)
    assert t.time_at(0) == pytest.approx(3.5)


def test_youtube_transcript_fetcher_json() -> None:
    t = load(DATA / "youtube-fetcher.json")
    assert t.format == "youtube-json"
    assert t.text == "hey everyone welcome back to the channel today we're talking about sourdough & starters"
    assert t.time_at(t.text.index("today")) == pytest.approx(5.56)


def test_youtube_json3(tmp_path: Path) -> None:
    path = tmp_path / "talk.en.json3"
    path.write_text('{"wireMagic": "pb3", "events": [{"tStartMs": 0, "dDurationMs": 5000, "id": 1},'
                    '{"tStartMs": 120, "dDurationMs": 4000, "wWinId": 1, "segs": [{"utf8": "so"},'
                    '{"utf8": " today", "tOffsetMs": 240}]},'
                    '{"tStartMs": 2000, "wWinId": 1, "aAppend": 1, "segs": [{"utf8": "\\n"}]},'
                    '{"tStartMs": 2010, "dDurationMs": 3000, "wWinId": 1, "segs": [{"utf8": "we"},'
                    '{"utf8": " begin", "tOffsetMs": 300}]}]}', encoding="utf-8")
    t = load(path)
    assert t.format == "youtube-json3"
    assert t.text == "so today we begin"
    assert t.time_at(t.text.index("today")) == pytest.approx(0.36)


# ------------------------------------------------------------------------------------------------
# Whisper
# ------------------------------------------------------------------------------------------------

def test_whisper_txt_lines_join_into_flowing_text() -> None:
    t = load(DATA / "whisper.txt")
    assert t.format == "text"
    assert "\n" not in t.text
    assert t.text.startswith("So I started the company in 2015, and at the time nobody really believed")


def test_whisper_tsv_times_in_milliseconds() -> None:
    t = load(DATA / "whisper.tsv")
    assert t.format == "whisper-tsv"
    assert t.text == ("So I started the company in 2015, and at the time nobody believed in it. "
                      "We had a tiny office & three people.")
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


# ------------------------------------------------------------------------------------------------
# Podcasts
# ------------------------------------------------------------------------------------------------

def test_podcasting20_json_one_word_segments_and_speakers() -> None:
    t = load(DATA / "podcast.json")
    assert t.format == "podcast-json"
    assert t.text == "Hey there, Jerod.\nHi Chris! Welcome to the Q&A show.\nGlad to be here."
    assert t.speakers == ("Chris Coyier", "Jerod Santo")
    assert turns(t) == [("Chris Coyier", "Hey there, Jerod."), ("Jerod Santo", "Hi Chris! Welcome to the"),
                        ("Chris Coyier", "Glad to be here.")]
    assert t.time_at(t.text.index("Chris!")) == pytest.approx(2.1)


def test_webvtt_voices_merge_into_turns() -> None:
    t = load(DATA / "podcast-voices.vtt")
    assert t.text == "Hey there, Jerod. How are things in Omaha?\nPretty good. We have a Q&A later. Stick around."
    assert turns(t) == [("Chris Coyier", "Hey there, Jerod. How ar"), ("Jerod Santo", "Pretty good. We have a Q")]
    assert_clean(t)


def test_srt_name_prefixes_become_turns() -> None:
    t = load(DATA / "podcast-names.srt")
    assert t.text == "Hey there, Jerod. How are things in Omaha?\nPretty good. We have a Q&A later.\nGreat."
    assert [s for s, _ in turns(t)] == ["Chris Coyier", "Jerod Santo", "Chris Coyier"]


# ------------------------------------------------------------------------------------------------
# Speaker-labelled text and Markdown
# ------------------------------------------------------------------------------------------------

FOUR_TURNS = ["Sarah Chen", "Marcus Webb", "Sarah Chen", "Marcus Webb"]


@pytest.mark.parametrize("name", ["otter.txt", "rev.txt", "show-notes.md"])
def test_speaker_labelled_text(name: str) -> None:
    t = load(DATA / name)
    assert [s for s, _ in turns(t)] == FOUR_TURNS
    assert t.text.startswith("Thanks for joining me today. I wanted to start with how you got into oceanography")
    assert t.text.count("\n") == 3
    assert_clean(t)


def test_otter_and_rev_times() -> None:
    for name in ("otter.txt", "rev.txt"):
        t = load(DATA / name)
        assert t.time_at(t.text.index("Sure.")) == pytest.approx(9.0)


def test_markdown_front_matter_headings_emphasis_links() -> None:
    t = load(DATA / "show-notes.md")
    assert t.format == "markdown"
    assert t.title == "Episode 42: Life in the Tide Pools"
    assert "Transcript" not in t.text and "title:" not in t.text and "#" not in t.text
    assert "into oceanography in the first place." in t.text
    assert "See our notes for the photos." in t.text
    assert "Monterey & I worked" in t.text


def test_colon_lines_that_are_not_speakers() -> None:
    t = load(DATA / "colon-labels.txt")
    assert t.speakers == ("Sarah", "Marcus")
    assert "She said: never turn your back" in t.text
    assert "J'ai dit: that's all there is to it." in t.text  # wrapped line joined, not a speaker
    assert t.speaker_at(t.text.index("J'ai")) == "Marcus"


def test_bracketed_time_stamps_with_names() -> None:
    t = load(DATA / "timestamps.txt")
    assert [s for s, _ in turns(t)] == ["Sarah", "Marcus", "Sarah", "Marcus"]
    assert t.text.split("\n")[1] == "Sure. It started on a fishing boat."
    assert t.time_at(t.text.index("Really")) == pytest.approx(14.0)


def test_bare_time_stamps() -> None:
    t = load(DATA / "timestamps-bare.txt")
    assert t.text == "Thanks for joining me today. It started on a fishing boat. Really? Tell me more about that."
    assert t.time_at(t.text.index("Really")) == pytest.approx(74.0)
    assert t.turns == ()


def test_youtube_transcript_copied_from_the_page(tmp_path: Path) -> None:
    """YouTube's "Show transcript" panel copied as text: a time on its own line, then the caption line."""
    path = tmp_path / "copied.txt"
    path.write_text("0:00\nso today we're going to\n0:03\ntalk about search\n1:02:05\nand that is it\n", "utf-8")
    t = load(path)
    assert t.text == "so today we're going to talk about search and that is it"
    assert t.time_at(t.text.index("talk")) == pytest.approx(3.0)
    assert t.time_at(t.text.index("and that")) == pytest.approx(3725.0)


def test_descript_export_with_a_speaker_named_once() -> None:
    t = load(DATA / "descript.txt")
    assert [s for s, _ in turns(t)] == ["Sarah Chen", "Marcus Webb", "Sarah Chen"]
    assert "Sure. It started on a fishing boat, of all places. It was my uncle's boat." in t.text


def test_blank_line_separated_turns_in_capitals() -> None:
    t = load(DATA / "blank-line-turns.txt")
    assert t.speakers == ("SARAH", "MARCUS")
    assert t.text.split("\n")[:2] == ["Thanks for joining me today.",
                                      "I wanted to start with how you got into oceanography."]
    assert t.speaker_at(t.text.index("I wanted")) == "SARAH"  # a second paragraph of the same turn


def test_plain_text_with_a_single_colon_line_has_no_speakers(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Here is the plan:\nwe go to the beach.\nMaria: one mention is not a speaker.\n", "utf-8")
    t = load(path)
    assert t.turns == ()
    assert "Maria: one mention" in t.text


def test_hashtag_line_in_plain_text_is_text(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("we talked a lot\n#1 was the best part of it all and more words follow here\n", "utf-8")
    assert "#1 was the best" in load(path).text


def test_long_lines_stay_paragraphs(tmp_path: Path) -> None:
    line = "This is one long paragraph of punctuated text that goes on. " * 6
    path = tmp_path / "long.txt"
    path.write_text(f"{line}\n{line}\n", "utf-8")
    assert load(path).text.strip().count("\n") == 1


def test_corpus_style_headings_give_the_title(tmp_path: Path) -> None:
    path = tmp_path / "200.txt"
    path.write_text("# Michael Malice: Anarchy | Lex Fridman Podcast #200\n# Episode #200\n"
                    "# Source: https://www.youtube.com/watch?v=R5rNoV1Qy_Q\n\nthe following is a conversation\n",
                    "utf-8")
    t = load(path)
    assert t.title == "Michael Malice: Anarchy | Lex Fridman Podcast #200"
    assert t.text == "the following is a conversation"


# ------------------------------------------------------------------------------------------------
# Detection and refusals
# ------------------------------------------------------------------------------------------------

def test_detection_by_content_not_extension(tmp_path: Path) -> None:
    vtt_as_txt = tmp_path / "captions.txt"
    vtt_as_txt.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nhello there\n", "utf-8")
    assert load(vtt_as_txt).format == "vtt"
    srt_as_txt = tmp_path / "subs.txt"
    srt_as_txt.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello there\n", "utf-8")
    assert load(srt_as_txt).text == "hello there"
    json_as_srt = tmp_path / "podcast.srt"
    json_as_srt.write_bytes((DATA / "podcast.json").read_bytes())
    assert load(json_as_srt).format == "podcast-json"


def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize("name, data, what", [
    ("interview.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    ("page.html", b"<!DOCTYPE html>\n<html><head><title>Episode</title></head><body>hi</body></html>",
     "web page"),
    ("data.json", b'{"name": "not a transcript", "items": [1, 2, 3]}', "JSON"),
    ("list.json", b"[1, 2, 3]", "JSON"),
    ("episode.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(200), "MP3"),
    ("notes.rtf", b"{\\rtf1\\ansi hello}", "RTF"),
    ("subs.ttml", b'<?xml version="1.0"?>\n<tt xmlns="http://www.w3.org/ns/ttml"><body/></tt>', "TTML"),
])
def test_unsupported_content_is_refused_in_plain_words(tmp_path: Path, name: str, data: bytes, what: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TranscriptError, match=what) as error:
        load(path)
    assert "opens plain text and Markdown" in str(error.value) or "formats this app reads" in str(error.value)


def test_word_document_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match=r"Word document \(.docx\).*opens plain text"):
        load(_docx(tmp_path / "interview.docx"))


def test_supported_suffixes_and_dialog_filter() -> None:
    assert {".txt", ".md", ".srt", ".vtt", ".json", ".tsv"} <= set(SUPPORTED_SUFFIXES)
    first = FILE_DIALOG_FILTER.split(";;")[0]
    assert all(f"*{s}" in first for s in SUPPORTED_SUFFIXES)


def test_entry_point_kept() -> None:
    assert load_transcript is load


# ------------------------------------------------------------------------------------------------
# Robustness (issue 16: special files, damaged cues, hostile markup)
# ------------------------------------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(TranscriptError, match="not a regular file"):
        load(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_device_is_refused() -> None:
    with pytest.raises(TranscriptError, match="device"):
        load("/dev/zero")


def test_read_is_bounded_whatever_the_size_says(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("words " * 400, "utf-8")
    with pytest.raises(TranscriptError, match="MB"):
        load(path, max_bytes=1000)


def test_damaged_cues_are_skipped_and_reported() -> None:
    t = load(DATA / "damaged.vtt")
    assert t.text == "first cue is fine last cue is fine too"
    assert len(t.warnings) == 2
    assert "damaged cue" in t.warnings[0] and "00:0x" in t.warnings[0]
    assert "without a timing line" in t.warnings[1]


def test_damaged_srt_keeps_the_good_cues(tmp_path: Path) -> None:
    path = tmp_path / "x.srt"
    path.write_text("1\nhello there\n\n2\n00:00:01,000 --> 00:00:02,000\nhi\n\n3\n00:00:0 --> 1\nbad\n", "utf-8")
    t = load(path)
    assert t.text == "hi"
    assert len(t.warnings) == 2


@pytest.mark.parametrize("cue", ["<" * 200_000, "<v a" * 50_000, "{\\" * 100_000, "&" * 100_000 + ";"])
def test_hostile_markup_reads_in_one_pass(tmp_path: Path, cue: str) -> None:
    path = tmp_path / "hostile.srt"
    path.write_text(f"1\n00:00:01,000 --> 00:00:02,000\n{cue} end\n", "utf-8")
    assert load(path).text.endswith("end")


def test_whitespace_only_lines_stay_inside_a_cue() -> None:
    parsed = parse("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n \nhello\n \n\n00:00:02.000 --> 00:00:03.000\nworld\n",
                   "x.vtt", ".vtt")
    assert parsed.text == "hello world"
    assert parsed.warnings == ()


# ------------------------------------------------------------------------------------------------
# Property: a rolling caption file built from any word list reads back as that word list
# ------------------------------------------------------------------------------------------------

def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def rolling_vtt(words: list[str], rng: random.Random) -> str:
    """A yt-dlp style automatic-caption file: each cue shows the previous line and a new line with inline
    word times, then a 10 ms snap cue repeats the screen."""
    lines: list[list[str]] = []
    i = 0
    while i < len(words):
        n = rng.randint(1, 8)
        lines.append(words[i:i + n])
        i += n
    out = ["WEBVTT", "Kind: captions", "Language: en", ""]
    t = 0.0
    previous = " "
    for line in lines:
        start = t
        timed = line[0]
        for word in line[1:]:
            t += rng.uniform(0.1, 0.6)
            timed += f"<{_clock(t)}><c> {word}</c>"
        t += rng.uniform(0.1, 0.6)
        out += [f"{_clock(start)} --> {_clock(t)} align:start position:0%", previous, timed, ""]
        out += [f"{_clock(t)} --> {_clock(t + 0.01)} align:start position:0%", previous.strip() or " ".join(line),
                " ".join(line) if previous.strip() else " ", ""]
        t += 0.01
        previous = " ".join(line)
    return "\n".join(out)


def test_rolling_captions_read_back_as_the_spoken_words() -> None:
    rng = random.Random(1234)
    vocabulary = ["no", "yes", "the", "so", "I", "don't", "know", "we're", "it's", "uh", "AI", "1.5", "Q&A"]
    for _ in range(300):
        words = [rng.choice(vocabulary[: rng.randint(1, len(vocabulary))]) for _ in range(rng.randint(1, 60))]
        text = rolling_vtt([w.replace("&", "&amp;") for w in words], rng)
        parsed = parse(text, "auto.en.vtt", ".vtt")
        assert parsed.text.split() == words, text
        assert len(parsed.cues) == len(words)


# ------------------------------------------------------------------------------------------------
# Speakers through segmentation, the command line and the exports
# ------------------------------------------------------------------------------------------------

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


def test_cli_paragraphs_json_has_text_format_speakers_display_time(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from desktop_app import cli

    assert cli.main(["paragraphs", str(DATA / "rev.txt"), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["format"] == "text"
    assert payload["speakers"] == ["Sarah Chen", "Marcus Webb"]
    first = payload["paragraphs"][0]
    assert payload["text"][first["start"]:first["end"]].startswith("Thanks for joining me today.")
    assert first["display"].startswith("Thanks for joining me today.")
    assert (first["speaker"], first["time"]) == ("Sarah Chen", 2.0)
    assert [p["speaker"] for p in payload["paragraphs"]] == FOUR_TURNS


def test_cli_paragraphs_as_text_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app import cli

    assert cli.main(["paragraphs", str(DATA / "podcast.json"), "--timestamps"]) == 0
    assert capsys.readouterr().out.split("\n\n")[1] == "[00:01] Jerod Santo: Hi Chris! Welcome to the Q&A show."
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

    t = load(DATA / "rev.txt")
    start = t.text.index("fishing boat")
    notes = [Annotation.create(t.text, start, start + len("fishing boat"))]
    markdown = to_markdown(t.title, t.text, notes, time_of=t.time_at, speaker_of=t.speaker_at)
    assert "> **Marcus Webb:** fishing boat" in markdown
    assert "*00:" in markdown
    record = json.loads(to_web_annotation_json(t.title, t.text, notes, time_of=t.time_at,
                                               speaker_of=t.speaker_at))["first"]["items"][0]
    assert record["speaker"] == "Marcus Webb"
    assert 9.0 < record["time"] < 14.0


def test_huge_unpunctuated_text_is_segmented_coarsely(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.readability import segmentation as readability

    text = ("so i think that is a really interesting question about open source models and what they mean "
            "for people who build things ") * 60
    monkeypatch.setattr(readability, "HUGE_TEXT_WORDS", 100)
    readable = readability.segment(text)
    assert readable.paragraphs[0].start == 0 and readable.paragraphs[-1].end == len(text.rstrip())
    assert all(len(text[p.start:p.end].split()) <= 150 for p in readable.paragraphs)
    assert readable.commas == ()  # the coarse path: no comma model


def test_search_speaker_filter(tmp_path: Path) -> None:
    from desktop_app.readability import segmentation as readability
    from desktop_app.search.index import SearchIndex
    from desktop_app.search.query import split_speaker_filter

    assert split_speaker_filter('boat speaker:"Marcus Webb" speaker:sarah') == ("boat", ("Marcus Webb", "sarah"))
    t = load(DATA / "otter.txt")
    readable = readability.segment(t.text, turns=t.turns)
    index = SearchIndex.open_or_build(tmp_path / "search", t.sha256, t.text,
                                      [(p.start, p.end) for p in readable.paragraphs],
                                      speakers=[p.speaker for p in readable.paragraphs])
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


def _mutate(data: str, rng: random.Random) -> str:
    """One random damage: a line dropped, duplicated or cut, garbage or markup inserted, digits changed."""
    lines = data.split("\n")
    k = rng.randrange(len(lines))
    kind = rng.randrange(6)
    if kind == 0:
        del lines[k]
    elif kind == 1:
        lines.insert(k, lines[k])
    elif kind == 2:
        lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)]
    elif kind == 3:
        lines.insert(k, rng.choice(["<", "-->", "<v ", "&", "{\\an8", "\x0b", "WEBVTT", "99", "[", '{"a":']) * rng.randint(1, 50))
    elif kind == 4:
        lines[k] = "".join(str(rng.randrange(10)) if c.isdigit() and rng.random() < 0.3 else c for c in lines[k])
    else:
        lines[k] = lines[k].replace(":", rng.choice(["", ";", "::", " : "]))
    return "\n".join(lines)


def test_mutated_files_open_or_are_refused_with_a_message(tmp_path: Path) -> None:
    """Seeded fuzzing in CI size: every damaged fixture opens or is refused with a TranscriptError."""
    rng = random.Random(16)
    sources = sorted(DATA.iterdir())
    opened = refused = 0
    for number in range(300):
        source = rng.choice(sources)
        data = source.read_text(encoding="utf-8")
        for _ in range(rng.randint(1, 4)):
            data = _mutate(data, rng)
        path = tmp_path / f"m{number}{source.suffix}"
        path.write_text(data, encoding="utf-8")
        try:
            transcript = load(path)
        except TranscriptError:
            refused += 1
            continue
        opened += 1
        assert transcript.text.strip()
        assert all(0 <= c.start <= c.end <= len(transcript.text) for c in transcript.cues)
        assert all(0 <= t.start < t.end <= len(transcript.text) for t in transcript.turns)
    assert opened > 200, (opened, refused)  # broken JSON is refused: it cannot be partly read


def test_text_that_only_starts_like_json_or_subtitles_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("[1, 2] is how we counted, she said.\nAnd then we went home.\n", "utf-8")
    t = load(path)
    assert t.text.startswith("[1, 2] is how we counted")
    assert "read as text" in t.warnings[-1]
    broken = tmp_path / "broken.json"
    broken.write_text('{"segments": [', "utf-8")
    with pytest.raises(TranscriptError, match="cannot be read as JSON"):
        load(broken)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_place_of_a_cache_entry_is_a_miss(tmp_path: Path) -> None:
    from desktop_app import cache

    entry = cache.cache_file(tmp_path, "readable", "ab" * 32, "v1")
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    assert cache.load(tmp_path, "readable", "ab" * 32, "v1") is None


def test_rolling_captions_without_word_times_or_snap_cues() -> None:
    lines = ["so here we are", "at the start of", "a long talk about", "tide pools and", "the things in them",
             "that we found"]
    cues = [f"00:00:{k:02d}.000 --> 00:00:{k + 1:02d}.000\n{a}\n{b}\n" for k, (a, b) in
            enumerate(zip(lines, lines[1:], strict=False))]
    parsed = parse("WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nso here we are\n\n" + "\n".join(cues), "r.vtt", ".vtt")
    assert parsed.text == " ".join(lines)
    assert parsed.format == "youtube-vtt"


def test_whisper_cpp_json_and_csv() -> None:
    t = load(DATA / "whisper-cpp.json")
    assert t.format == "whisper-json"
    assert t.text == "So I started the company in 2015, and at the time nobody believed in it."
    assert t.time_at(t.text.index("and at")) == pytest.approx(2.48)
    c = load(DATA / "whisper-cpp.csv")
    assert c.format == "whisper-tsv"
    assert c.text == 'So I started the company in 2015, and at the time "nobody" believed in it.'


def test_youtube_studio_sbv_with_speaker_markers() -> None:
    t = load(DATA / "youtube-studio.sbv")
    assert t.format == "sbv"
    assert t.text == "Hi, my name is Maya Ortiz and this is Sam Lee.\nAnd we run the harbour bakery.\nLet's start."
    assert [s for s, _ in turns(t)] == ["MAYA", "SAM", "MAYA"]
    assert t.time_at(t.text.index("And we")) == pytest.approx(4.16)


def test_podcasting20_html_transcript() -> None:
    t = load(DATA / "podcast.html")
    assert t.format == "podcast-html"
    assert t.text == ("Hey there, Jerod. Welcome to the Q&A show.\nWe have a lot to cover.\n"
                      "Glad to be here, really.\nLet’s begin.")
    assert [s for s, _ in turns(t)] == ["Chris Coyier", "Jerod Santo", "Chris Coyier"]
    assert t.speaker_at(t.text.index("We have")) == "Chris Coyier"
    assert t.time_at(t.text.index("Glad")) == pytest.approx(7.0)
    assert t.time_at(t.text.index("Let")) == pytest.approx(3723.5)
    assert_clean(t)


def test_absurdly_long_text_runs_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.readability import segmentation as readability

    text = "x " * 1000 + "end"
    monkeypatch.setattr(readability, "TRIVIAL_TEXT_WORDS", 500)
    monkeypatch.setattr(readability, "default_model", lambda: pytest.fail("no model for such a text"))
    readable = readability.segment(text)
    assert [len(p.sentences) for p in readable.paragraphs][:2] == [7, 7]
    assert readable.paragraphs[-1].end == len(text)


def test_a_stamped_line_whose_label_is_not_a_speaker_keeps_its_time(tmp_path: Path) -> None:
    path = tmp_path / "stamps.txt"
    path.write_text("[00:00:02] Here is the plan: we start early.\n[00:00:09] Then we eat.\n", "utf-8")
    t = load(path)
    assert t.text == "Here is the plan: we start early. Then we eat."
    assert t.time_at(0) == pytest.approx(2.0) and t.turns == ()
