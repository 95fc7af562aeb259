"""Plain text and Markdown: speaker labels (Otter, Rev, Descript, show notes), time stamps, front matter,
headings, wrapped lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from format_samples import DATA, FOUR_TURNS, assert_clean, turns

from desktop_app.formats import load
from desktop_app.timeline import Timeline

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("name", ["otter.txt", "rev.txt", "show-notes.md"])
def test_speaker_labelled_text(name: str) -> None:
    t = load(DATA / name)
    assert [s for s, _ in turns(t)] == FOUR_TURNS
    assert t.text.startswith(
        "Thanks for joining me today. I wanted to start with how you got into oceanography"
    )
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
    assert (
        t.text
        == "Thanks for joining me today. It started on a fishing boat. Really? Tell me more about that."
    )
    assert t.time_at(t.text.index("Really")) == pytest.approx(74.0)
    assert t.turns == ()


def test_youtube_transcript_copied_from_the_page(tmp_path: Path) -> None:
    """YouTube's "Show transcript" panel copied as text: a time on its own line, then the caption line."""
    path = tmp_path / "copied.txt"
    path.write_text(
        "0:00\nso today we're going to\n0:03\ntalk about search\n1:02:05\nand that is it\n", "utf-8"
    )
    t = load(path)
    assert t.text == "so today we're going to talk about search and that is it"
    assert t.time_at(t.text.index("talk")) == pytest.approx(3.0)
    assert t.time_at(t.text.index("and that")) == pytest.approx(3725.0)


def test_youtube_panel_spoken_times_are_not_text(tmp_path: Path) -> None:
    """The panel copied from today's YouTube: under each time, the screen reader's spoken form of it."""
    path = tmp_path / "copied.txt"
    path.write_text(
        "0:00\n0 seconds\nso today we're going to\n0:04\n4 seconds\ntalk about 4 seconds of search\n"
        "1:02\n1 minute, 2 seconds\nand then\n1:00:05\n1 hour, 5 seconds\nthat is it\n",
        "utf-8",
    )
    t = load(path)
    assert t.text == "so today we're going to talk about 4 seconds of search and then that is it"
    assert t.time_at(t.text.index("and then")) == pytest.approx(62.0)
    assert t.time_at(t.text.index("that is")) == pytest.approx(3605.0)


def test_a_spoken_time_that_does_not_match_the_stamp_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "copied.txt"
    path.write_text("0:00\nhello\n0:04\n30 seconds\n0:09\nlater on\n0:12\nmore\n", "utf-8")
    assert load(path).text == "hello 30 seconds later on more"


def test_youtube_panel_with_chapters_gives_the_chapters(tmp_path: Path) -> None:
    """A video with chapters: the panel shows each chapter's title above its first time."""
    path = tmp_path / "copied.txt"
    rows = ["Intro", "0:00", "so today we're going to", "0:03", "talk about search"]
    rows += ["Ranking and BM25", "0:41", "ranking starts with", "0:44", "term frequency and"]
    rows += ["0:47", "document length", "Wrap-up", "1:10", "thanks for watching"]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    t = load(path)
    assert t.text.replace("\n", " ") == (
        "so today we're going to talk about search ranking starts with term frequency and document length "
        "thanks for watching"
    )
    assert [(h.title, t.time_at(h.start)) for h in t.chapters] == [
        ("Intro", 0.0),
        ("Ranking and BM25", 41.0),
        ("Wrap-up", 70.0),
    ]
    assert t.title != "Intro"


def test_short_lines_between_sparse_time_stamps_stay_text(tmp_path: Path) -> None:
    """Times every few paragraphs (a meeting transcript): a short paragraph before a time is not a title."""
    path = tmp_path / "meeting.txt"
    rows = []
    for k in range(6):
        rows += [
            f"00:0{k}:00",
            "We talked about the budget for the next quarter at some length today.",
            "Agreed.",
        ]
    path.write_text("\n\n".join(rows) + "\n", "utf-8")
    t = load(path)
    assert t.chapters == ()
    assert t.text.count("Agreed.") == 6


@pytest.mark.parametrize(
    "label",
    [
        "*{name} ({time})*\n",  # a podcast site's Markdown: the label in italics on its own line
        "**{name} ({time})**\n",
        "**{name} ({time}):** ",
        "_{name} ({time})_ ",
    ],
)
def test_emphasised_speaker_labels_with_times(tmp_path: Path, label: str) -> None:
    """The closing emphasis mark was left as text ("* Hello there"), and "**Name (00:26):**" was no label."""
    rows = [
        ("Sarah Chen", "0:00", "Hello there."),
        ("Marcus Webb", "0:26", "Thanks."),
        ("Sarah Chen", "1:02", "So."),
    ]
    path = tmp_path / "episode.md"
    path.write_text("\n\n".join(label.format(name=n, time=t) + text for n, t, text in rows) + "\n", "utf-8")
    t = load(path)
    assert t.text.split("\n") == ["Hello there.", "Thanks.", "So."]
    assert [s for s, _ in turns(t)] == ["Sarah Chen", "Marcus Webb", "Sarah Chen"]
    assert t.time_at(t.text.index("Thanks")) == pytest.approx(26.0)


@pytest.mark.parametrize(
    "stamp",
    [
        "[{a}:{f} - {b}:12]",  # DaVinci Resolve: hours, minutes, seconds and frames
        "{a}:{f} - {b}:12",  # Premiere Pro
        "{a}.500 --> {b}.000",
    ],
)
def test_video_editor_transcript_exports(tmp_path: Path, stamp: str) -> None:
    """A time range on its own line, the speaker's name on the next, then the text: before, the stamp's
    frames and end time and the names were all text ("00 - 00:00:26:15] Sam I think…")."""
    rows = [
        (0, "Joe", "Welcome to the show. Today we talk about boats."),
        (8, "Adam", "Thanks for having me."),
        (15, "Joe", "So, how did it start?"),
        (65, "Adam", "On a fishing boat,\nof all places."),
    ]
    body = [
        stamp.format(
            a=f"00:{t // 60:02d}:{t % 60:02d}", f="05", b=f"00:{(t + 5) // 60:02d}:{(t + 5) % 60:02d}"
        )
        + f"\n{name}\n {text}\n"
        for t, name, text in rows
    ]
    path = tmp_path / "resolve.txt"
    path.write_text("\n".join(body), "utf-8")
    t = load(path)
    assert t.text.split("\n") == [
        "Welcome to the show. Today we talk about boats.",
        "Thanks for having me.",
        "So, how did it start?",
        "On a fishing boat, of all places.",
    ]
    assert [s for s, _ in turns(t)] == ["Joe", "Adam", "Joe", "Adam"]
    assert t.time_at(t.text.index("On a fishing")) == pytest.approx(65.0, abs=0.5)


def test_google_meet_transcript_header_and_closing_lines(tmp_path: Path) -> None:
    """Google Meet's transcript document: the date and "Title - Transcript" on top, a time every few minutes,
    and "Transcription ended after …" and a disclaimer at the end. They were all text (and the title was
    guessed from the file name)."""
    rows = ["Oct 2, 2025", "Boat project sync - Transcript", "00:00:00", " "]
    rows += ["Sarah Chen: So where are we with the hull?", "Marcus Webb: Sanded, and the first coat is on."]
    rows += [" ", " ", "00:01:26", " ", "Sarah Chen: Good. What about the mast?", "Marcus Webb: Next week."]
    rows += [" ", " ", "Transcription ended after 00:02:10", "", ""]
    rows += [
        "This editable transcript was computer generated and might contain errors. "
        "People can also change the text after it was created."
    ]
    path = tmp_path / "meet.txt"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    t = load(path)
    assert t.title == "Boat project sync"
    assert t.text.split("\n") == [
        "So where are we with the hull?",
        "Sanded, and the first coat is on.",
        "Good. What about the mast?",
        "Next week.",
    ]
    assert t.speakers == ("Sarah Chen", "Marcus Webb")
    assert t.time_at(t.text.index("Good.")) == pytest.approx(86.0)


def test_otter_s_closing_line_is_not_text(tmp_path: Path) -> None:
    """Otter's .txt export ends with "Transcribed by https://otter.ai": it was the last paragraph."""
    path = tmp_path / "otter.txt"
    path.write_text(
        (DATA / "otter.txt").read_text("utf-8") + "\n\nTranscribed by https://otter.ai\n", "utf-8"
    )
    t = load(path)
    assert t.text == load(DATA / "otter.txt").text
    assert [s for s, _ in turns(t)] == FOUR_TURNS


def test_time_stamp_links_of_note_apps_time_running_speech(tmp_path: Path) -> None:
    """Obsidian's and other note apps' YouTube transcripts: each timed piece starts with a link to its second
    of the video, blank lines between. The stamps were text ("0:14 will have…") and every piece a paragraph,
    broken mid-sentence."""
    pieces = [
        (0, "so today we are going to talk about"),
        (4, "how search engines rank what they find and"),
        (9, "why that matters. The first thing is"),
        (14, "term frequency, which counts how often a word"),
        (19, "appears. Then there is document length"),
        (75, "and that is all for today."),
    ]
    rows = [
        f"[{t // 60}:{t % 60:02d}](https://www.youtube.com/watch?v=AbCdEfGhIjk&t={t}s) {text}"
        for t, text in pieces
    ]
    path = tmp_path / "Search ranking.md"
    path.write_text("# Search ranking\n\n## Transcript\n\n" + "\n\n".join(rows) + "\n", "utf-8")
    t = load(path)
    assert t.text == " ".join(text for _t, text in pieces)
    assert t.time_at(t.text.index("term frequency")) == pytest.approx(14.0)
    assert t.time_at(t.text.index("and that is all")) == pytest.approx(75.0)


def test_a_paragraph_per_time_stamp_stays_a_paragraph(tmp_path: Path) -> None:
    rows = [f"[00:0{k}:00] We covered item {k} of the agenda in full detail today." for k in range(6)]
    path = tmp_path / "minutes.txt"
    path.write_text("\n\n".join(rows) + "\n", "utf-8")
    assert load(path).text.count("\n") == 5


@pytest.mark.parametrize(
    "stamp", ["[00:00:{s:02d}]", "[ 00:00:{s:02d}.120 -->  00:00:{e:02d}.760]", "[00:{s:02d}]"]
)
def test_diarization_scripts_bracketed_speakers_after_the_time(tmp_path: Path, stamp: str) -> None:
    """Whisper plus a diarization script: "[00:00:05] [SPEAKER_01] text". The labels were text."""
    rows = [
        (0, "SPEAKER_00", "So where do we start?"),
        (5, "SPEAKER_01", "At the beginning."),
        (9, "SPEAKER_00", "Fine."),
    ]
    lines = [stamp.format(s=t, e=t + 4) + f" [{name}] {text}" for t, name, text in rows]
    path = tmp_path / "diarized.txt"
    path.write_text("\n".join([*lines, "[00:00:16] [Laughter] right"]) + "\n", "utf-8")
    t = load(path)
    assert [s for s, _ in turns(t)] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_00"]
    assert t.text.split("\n") == ["So where do we start?", "At the beginning.", "Fine. [Laughter] right"]
    assert t.time_at(t.text.index("At the")) == pytest.approx(5.0, abs=0.2)


@pytest.mark.parametrize(
    "head",
    [
        "{m}:{s:02d} - {name} (Acme)",  # Fathom's meeting transcripts
        "00:{m:02d}:{s:02d} {name}",  # Microsoft Word's Transcribe
        "[00:{m:02d}:{s:02d}.000] - {name}",
    ],
)
def test_a_time_and_a_name_above_the_text(tmp_path: Path, head: str) -> None:
    """The name was glued to the text: "Jane Doe (Acme) Hello everyone…"."""
    rows = [
        (0, 5, "Jane Doe", "Hello everyone, thanks for joining."),
        (0, 12, "Sam Lee", "Glad to be here."),
        (1, 4, "Jane Doe", "Let's start with the numbers."),
        (2, 30, "Sam Lee", "They look good."),
    ]
    body = [head.format(m=m, s=s, name=name) + "\n" + text for m, s, name, text in rows]
    path = tmp_path / "meeting.txt"
    path.write_text("\n\n".join(body) + "\n", "utf-8")
    t = load(path)
    assert t.text.split("\n") == [text for *_rest, text in rows]
    assert [s for s, _ in turns(t)] == ["Jane Doe", "Sam Lee", "Jane Doe", "Sam Lee"]
    assert t.time_at(t.text.index("They look")) == pytest.approx(150.0)


def test_stamped_caption_lines_of_one_capitalised_word_stay_text(tmp_path: Path) -> None:
    rows = ["0:00 so we started the boat", "0:04 Yeah", "and then it sank", "0:09 right away", "0:13 Really"]
    rows += ["it did", "0:17 and we swam back", "0:21 to the harbour", "0:25 the end"]
    path = tmp_path / "captions.txt"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    t = load(path)
    assert t.turns == () and "Yeah and then it sank" in t.text


def test_descript_export_with_a_speaker_named_once() -> None:
    t = load(DATA / "descript.txt")
    assert [s for s, _ in turns(t)] == ["Sarah Chen", "Marcus Webb", "Sarah Chen"]
    assert "Sure. It started on a fishing boat, of all places. It was my uncle's boat." in t.text


def test_blank_line_separated_turns_in_capitals() -> None:
    t = load(DATA / "blank-line-turns.txt")
    assert t.speakers == ("SARAH", "MARCUS")
    assert t.text.split("\n")[:2] == [
        "Thanks for joining me today.",
        "I wanted to start with how you got into oceanography.",
    ]
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
    path.write_text(
        "# Michael Malice: Anarchy | Lex Fridman Podcast #200\n# Episode #200\n"
        "# Source: https://www.youtube.com/watch?v=R5rNoV1Qy_Q\n\nthe following is a conversation\n",
        "utf-8",
    )
    t = load(path)
    assert t.title == "Michael Malice: Anarchy | Lex Fridman Podcast #200"
    assert t.text == "the following is a conversation"


def test_a_stamped_line_whose_label_is_not_a_speaker_keeps_its_time(tmp_path: Path) -> None:
    path = tmp_path / "stamps.txt"
    path.write_text("[00:00:02] Here is the plan: we start early.\n[00:00:09] Then we eat.\n", "utf-8")
    t = load(path)
    assert t.text == "Here is the plan: we start early. Then we eat."
    assert t.time_at(0) == pytest.approx(2.0) and t.turns == ()


def test_a_youtube_chapter_list_at_the_top_gives_the_chapters_not_text(tmp_path: Path) -> None:
    words = " ".join(f"word{i}" for i in range(185 * 12))  # twelve minutes at the estimated pace
    path = tmp_path / "episode.txt"
    path.write_text(
        "Chapters:\n0:00 Intro\n2:00 The first topic\n10:30 - Questions\n\n" + words, encoding="utf-8"
    )
    transcript = load(path)
    assert transcript.text == words  # the list is not text: offsets (and annotations) match the bare text
    assert [h.title for h in transcript.chapters] == ["Intro", "The first topic", "Questions"]
    # untimed text: placed at the pace the list implies (2,220 words to 10:30 plus one mean chapter: 141 a
    # minute), and the app's times there are the listed ones
    assert [transcript.text[h.start :].split()[0] for h in transcript.chapters] == [
        "word0",
        "word281",
        "word1480",
    ]
    timeline = Timeline.of_transcript(transcript)
    assert [round(timeline.seconds_at(h.start)) for h in transcript.chapters] == [0, 120, 630]


def test_a_chapter_list_of_a_slower_speaker_places_every_chapter(tmp_path: Path) -> None:
    """At the usual 185 words a minute the last chapters of a slow talk would fall past its end."""
    words = " ".join(f"word{i}" for i in range(140 * 60))  # an hour at 140 words a minute
    rows = "".join(f"{m}:00 Topic {m}\n" for m in range(0, 60, 6))
    path = tmp_path / "slow.txt"
    path.write_text(rows + "\n" + words, encoding="utf-8")
    transcript = load(path)
    assert [h.title for h in transcript.chapters] == [f"Topic {m}" for m in range(0, 60, 6)]
    assert transcript.words_per_minute == pytest.approx(140.0)
    last = transcript.chapters[-1]
    assert Timeline.of_transcript(transcript).seconds_at(last.start) == pytest.approx(54 * 60, abs=1)


@pytest.mark.parametrize(
    "top",
    [
        # a podcast's description: a heading, a line about the list, "(00:00) – Title"
        "OUTLINE:\nHere's the timestamps for the episode. On some podcast players you should be able to "
        "click the timestamp to jump to that time.\n(00:00) – Intro\n(02:00) – The first topic\n"
        "(10:30) – Questions\n\n",
        "Chapters\n- 0:00 Intro\n- 2:00 The first topic\n- 10:30 Questions\n\n",  # a bulleted list
        "• 00:00:00 Intro\n• 00:02:00 The first topic\n• 00:10:30 Questions\n\n",
        "0:00 Intro\n2:00 The first topic\n10:30 Questions\n",  # the text right under the list
    ],
)
def test_chapter_lists_as_people_paste_them(tmp_path: Path, top: str) -> None:
    words = " ".join(f"word{i}" for i in range(185 * 12))
    path = tmp_path / "episode.txt"
    path.write_text(top + words, encoding="utf-8")
    transcript = load(path)
    assert transcript.text == words
    assert [h.title for h in transcript.chapters] == ["Intro", "The first topic", "Questions"]


@pytest.mark.parametrize(
    "top",
    [
        "0:00 Intro\n2:00 Topic\n\n",  # too short for a list
        "0:00 Intro\n0:04 Topic\n0:09 More\n\n",  # chapters of a few seconds: stamped lines
        "Chapters:\n" + "a line of prose that goes on " * 10 + "\n0:00 Intro\n2:00 Topic\n3:00 More\n\n",
        "1:00 Intro\n2:00 Topic\n3:00 More\n\n",  # does not start at 0:00
        "0:00 so we started\n0:05 and then we went on\n0:09 to the harbour\n0:12 and that was it\n",  # stamped text
    ],
)
def test_time_stamped_lines_that_are_not_a_chapter_list(tmp_path: Path, top: str) -> None:
    path = tmp_path / "episode.txt"
    path.write_text(top + "the conversation goes on here for a long while " * 40, encoding="utf-8")
    assert load(path).chapters == ()


@pytest.mark.parametrize(
    "tail", ["", "\n", "Transcribed by https://otter.ai\n", "\nTranscribed by https://otter.ai\n"]
)
def test_a_stamped_transcript_of_short_lines_is_text_not_a_chapter_list(tmp_path: Path, tail: str) -> None:
    """Short stamped lines at least ten seconds apart, down to the end (or to a closing line): the transcript
    itself, not a chapter list above a text (before, all of it became chapter titles and the text was lost)."""
    lines = [
        f"{m}:{s:02d} we said a short thing here number {m}{s}" for m in range(5) for s in (0, 15, 30, 45)
    ]
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")
    transcript = load(path)
    assert transcript.chapters == ()
    assert "we said a short thing here number 445" in transcript.text
    assert transcript.time_at(transcript.text.index("number 445")) == pytest.approx(4 * 60 + 45)


def test_chapters_of_a_list_past_the_end_of_the_text_are_reported(tmp_path: Path) -> None:
    """As for a chapters file beside the transcript: a listed chapter that cannot be placed is not dropped
    silently."""
    words = " ".join(f"word{i}" for i in range(185 * 12))
    path = tmp_path / "part.txt"
    path.write_text("0:00 Intro\n5:00 Early\n1:03:16 Late\n2:10:00 Later\n\n" + words, encoding="utf-8")
    transcript = load(path)
    assert [h.title for h in transcript.chapters] == ["Intro", "Early", "Late"]
    assert any("4 chapters" in w and "3 of them" in w for w in transcript.warnings)


def test_a_chapter_list_in_a_srt_file_without_timings_keeps_its_chapters(tmp_path: Path) -> None:
    """A ".srt" that is plain text is read as text (with a note): its chapter list still gives the chapters
    and the pace (before, rebuilding the result for the note dropped both, and the list was gone from the
    text too)."""
    words = " ".join(f"word{i}" for i in range(150 * 40))
    path = tmp_path / "talk.srt"
    path.write_text("0:00 Intro\n10:00 Middle\n20:00 More\n30:00 End\n\n" + words, encoding="utf-8")
    transcript = load(path)
    assert any("no subtitle timings" in w for w in transcript.warnings)
    assert [h.title for h in transcript.chapters] == ["Intro", "Middle", "More", "End"]
    assert transcript.words_per_minute == pytest.approx(150.0)


def test_a_podcast_description_with_long_chapter_titles_is_a_chapter_list(tmp_path: Path) -> None:
    """Vector Podcast's descriptions (dev corpus): titles of up to 22 words and 132 characters. Before, a row
    over 12 words or 80 characters ended the list, and the list then read as time-stamped text: its rows in the
    text and every later word timed at the last row (the whole transcript "at 1:48:15")."""
    rows = [
        "(0:00:00) – Introduction",
        "(0:05:14) – How Yury entered the field of nearest neighbor search and his impression of it",
        "(0:15:03) – What did not work in NSW algorithm and how did Yury set up to invent new algorithm called HNSW",
        "(0:33:13) – Could Yury predict that his algorithm would be implemented in so many frameworks and vector "
        "databases in languages like Go and Rust?",
        "(0:48:10) – Yury’s effort to maintain HNSW and its GitHub community and the algorithm’s design principles",
    ]
    words = " ".join(f"word{i}" for i in range(150 * 60))
    path = tmp_path / "episode.txt"
    path.write_text(
        "OUTLINE:\nHere's the timestamps for the episode.\n" + "\n".join(rows) + "\n\n" + words, "utf-8"
    )
    transcript = load(path)
    assert transcript.text == words
    assert len(transcript.chapters) == len(rows)
    assert transcript.chapters[3].title.endswith("languages like Go and Rust?")


SHOW_NOTES = (
    "# Episode 12: Tide Pools with Sarah Chen\n\n"
    "Sarah Chen is a marine biologist at the Monterey Bay Aquarium.\n"
    "Please support this podcast by checking out our sponsors:\n"
    "- Acme Notes: https://example.com/notes to get 20% off\n"
    "- Sea Socks: https://example.com/socks\n\n"
    "EPISODE LINKS:\nSarah's website: https://example.com/sarah\n\n"
    "OUTLINE:\nHere's the timestamps for the episode. On some podcast players you should be able to click the "
    "timestamp to jump to that time.\n(00:00) – Introduction\n(04:00) – Tide pools\n(09:00) – Questions\n\n"
    "TRANSCRIPT\n\n"
)


def test_a_chapter_list_under_a_podcast_description_gives_the_chapters(tmp_path: Path) -> None:
    """Show notes pasted above the transcript: description, sponsors and links first, then "OUTLINE:". Before,
    only a list at the very top counted, and the whole list read as one paragraph of text."""
    turns_text = "\n".join(
        f"{'Lex' if k % 2 else 'Sarah Chen'}: " + " ".join(f"w{k}x{i}" for i in range(120)) for k in range(20)
    )
    path = tmp_path / "episode.txt"
    path.write_text(SHOW_NOTES + turns_text + "\n", encoding="utf-8")
    transcript = load(path)
    assert [h.title for h in transcript.chapters] == ["Introduction", "Tide pools", "Questions"]
    assert transcript.title == "Episode 12: Tide Pools with Sarah Chen"
    assert transcript.text.startswith("Sarah Chen is a marine biologist")  # the description stays text
    assert "OUTLINE" not in transcript.text and "(04:00)" not in transcript.text
    assert "TRANSCRIPT" not in transcript.text
    assert transcript.speakers == ("Sarah Chen", "Lex")


def test_a_chapter_heading_deep_in_the_text_is_not_a_chapter_list(tmp_path: Path) -> None:
    prose = "the conversation goes on here for a long while " * 100
    path = tmp_path / "episode.txt"
    path.write_text(
        prose + "\nChapters:\n0:00 Intro\n4:00 Middle\n9:00 End\n\n" + prose * 3, encoding="utf-8"
    )
    assert load(path).chapters == ()


@pytest.mark.parametrize(
    "top",
    [
        "0:00 Intro\n5:00 Two\n3:00 Three\n8:00 Four\n\n",  # times not rising: no chapter list
        "Chapters, with a long note on how the list was made, who wrote it, and when it was checked against "
        "the audio, all of it on one long line before the rows come\n0:00 Intro\n5:00 Two\n8:00 Three\n\n",
    ],
)
def test_rows_above_untimed_text_are_text_not_its_times(tmp_path: Path, top: str) -> None:
    """Read as time stamps, the rows would put every word of the transcript at the last row's time."""
    words = " ".join(f"word{i}" for i in range(3000))
    path = tmp_path / "episode.txt"
    path.write_text(top + words, encoding="utf-8")
    transcript = load(path)
    assert transcript.cues == () and transcript.chapters == ()
    assert "0:00 Intro" in transcript.text and transcript.text.endswith("word2999")
    timeline = Timeline.of_transcript(transcript)
    assert timeline.seconds_at(transcript.text.index("word1850")) > 550  # estimated, not 8:00 everywhere


@pytest.mark.parametrize("heading", ["Chapters:\n", ""])
def test_a_chapter_list_above_a_time_stamped_transcript_is_placed_by_its_times(
    tmp_path: Path, heading: str
) -> None:
    """An exported transcript ("[00:20] Speaker 2: …") with the episode's chapters pasted above it, apart."""
    rows = "".join(
        f"[{m:02d}:{s:02d}] Speaker {1 + (m + s) % 2}: sentence {m} {s} with a few more words\n"
        for m in range(12)
        for s in (0, 20, 40)
    )
    path = tmp_path / "export.txt"
    path.write_text(heading + "0:00 Intro\n4:00 The middle part\n9:00 Questions\n\n" + rows, encoding="utf-8")
    transcript = load(path)
    timeline = Timeline.of_transcript(transcript)
    assert [h.title for h in transcript.chapters] == ["Intro", "The middle part", "Questions"]
    assert [round(timeline.seconds_at(h.start)) for h in transcript.chapters] == [0, 240, 540]
    assert transcript.text.startswith("sentence 0 0") and "Intro" not in transcript.text
    assert transcript.turns[0].speaker == "Speaker 1"


@pytest.mark.parametrize(
    ("name", "top"),
    [
        (
            "episode.md",
            "# My Episode\n\n## Chapters\n\n- 0:00 Intro\n- 4:00 Middle\n- 9:00 End\n\n## Transcript\n\n",
        ),
        ("episode.txt", "# My Episode\n\nChapters:\n0:00 Intro\n4:00 Middle\n9:00 End\n\n"),
        (
            "episode.txt",
            "# My Episode\n# Source: https://www.youtube.com/watch?v=AbCdEfGhIjk\n\n0:00 Intro\n4:00 Middle\n9:00 End\n\n",
        ),
    ],
)
def test_a_chapter_list_under_the_file_s_header_lines(tmp_path: Path, name: str, top: str) -> None:
    words = " ".join(f"word{i}" for i in range(3000))
    path = tmp_path / name
    path.write_text(top + words, encoding="utf-8")
    transcript = load(path)
    assert [h.title for h in transcript.chapters] == ["Intro", "Middle", "End"]
    assert transcript.title == "My Episode" and transcript.text.startswith("word0")
