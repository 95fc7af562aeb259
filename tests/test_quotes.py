"""Quotes as the reader shows them, where a transcript comes from, and the Markdown block quote."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from desktop_app.display_text import build_display
from desktop_app.quotes import (
    QuotePlace,
    file_uri,
    header_lines,
    link_at,
    link_back,
    markdown_quote,
    readable_quote,
    source_url,
    youtube_id,
)
from desktop_app.readability.segmentation import Paragraph, Readable, Sentence

if TYPE_CHECKING:
    from pathlib import Path

DOC = "so what do you think  about that\ni think it's great and we should do it ok"


def hand_readable() -> Readable:
    second, third = DOC.index("i think"), DOC.index("do it")
    s1 = Sentence(0, DOC.index("\n"), "?")
    s2 = Sentence(second, DOC.index(" do it"), ".")
    s3 = Sentence(third, len(DOC), ".")
    return Readable(
        paragraphs=(Paragraph(0, s1.end, (s1,)), Paragraph(second, len(DOC), (s2, s3))),
        commas=(len("so what do you"),),
        capitalize=(0, second, third),
    )


def test_quote_reads_as_the_reader_shows_it() -> None:
    display = build_display(DOC, hand_readable())
    start, end = DOC.index("i think"), DOC.index(" do it")
    assert readable_quote(display, start, end) == "I think it's great and we should."


def test_quote_across_paragraphs_leaves_out_speaker_labels_and_breaks() -> None:
    display = build_display(DOC, hand_readable(), speakers=["Lex", "Yann"])
    assert display.text.startswith("Lex")
    quote = readable_quote(display, DOC.index("about"), DOC.index(" it's"))
    assert quote == "about that? I think"
    assert "Yann" not in quote and "\n" not in quote


def test_quote_of_the_first_words_has_no_label() -> None:
    display = build_display(DOC, hand_readable(), speakers=["Lex", "Yann"])
    assert readable_quote(display, 0, len("so what")) == "So what"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            "# Interview\n# Source: https://youtube.com/watch?v=5t1vTLU7s40\n\ntext",
            "https://youtube.com/watch?v=5t1vTLU7s40",
        ),
        ("Source: https://example.org/ep/12.\nhello there", "https://example.org/ep/12"),
        ("---\ntitle: X\nurl: https://youtu.be/dQw4w9WgXcQ\n---\nbody", "https://youtu.be/dQw4w9WgXcQ"),
        ("# Talk (https://vimeo.com/123)\nbody", "https://vimeo.com/123"),
        (
            "WEBVTT\nKind: captions\nNOTE https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n00:00.000 --> 00:01.000\nhi",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("we talked about https://example.com in the episode", ""),
        ("Lex: have a look at https://example.com\nYann: sure", ""),
        ("# Source: javascript:alert(1)\nbody", ""),
    ],
)
def test_source_url_comes_from_header_lines_only(head: str, expected: str) -> None:
    assert source_url("/tmp/episode.txt", head) == expected


def test_source_url_from_a_yt_dlp_file_name(tmp_path: Path) -> None:
    path = tmp_path / "Yann LeCun - Meta AI [dQw4w9WgXcQ].en.vtt"
    path.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n", encoding="utf-8")
    assert source_url(path) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert source_url(tmp_path / "Title [not an id].srt", "") == ""


def test_source_url_from_time_stamps_that_link_to_the_video() -> None:
    """Obsidian's and note apps' YouTube transcripts name the video only in their time-stamp links: a quote
    linked to the file, not to the video at that second."""
    head = (
        "# Search ranking\n\n## Transcript\n\n"
        "[0:00](https://www.youtube.com/watch?v=AbCdEfGhIjk&t=0s) so today we talk\n\n"
        "[0:04](https://www.youtube.com/watch?v=AbCdEfGhIjk&t=4s) about ranking\n"
    )
    assert source_url("/tmp/Search ranking.md", head) == "https://www.youtube.com/watch?v=AbCdEfGhIjk"
    assert source_url("/tmp/notes.md", "[0:00](https://example.org/a) hello\n") == ""  # not a video


def test_header_stops_at_the_text() -> None:
    assert header_lines("# Title\n# Episode #3\nthe words start here\n# not a header") == [
        "# Title",
        "# Episode #3",
    ]


@pytest.mark.parametrize(
    ("url", "video"),
    [
        ("https://youtube.com/watch?v=5t1vTLU7s40", "5t1vTLU7s40"),
        ("https://www.youtube.com/watch?list=x&v=dQw4w9WgXcQ&t=3", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?t=10", "dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://example.com/watch?v=dQw4w9WgXcQ", ""),
        ("https://youtube.com/watch?v=short", ""),
    ],
)
def test_youtube_id(url: str, video: str) -> None:
    assert youtube_id(url) == video


def test_links_point_at_the_second() -> None:
    assert (
        link_at("https://youtu.be/dQw4w9WgXcQ", 123.7) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=123s"
    )
    assert link_at("https://example.org/ep/12", 50) == "https://example.org/ep/12"
    assert link_back("", "/data/My Talk (2).txt", 5) == "file:///data/My%20Talk%20%282%29.txt"
    assert file_uri("/a/b.srt") == "file:///a/b.srt"


def test_markdown_quote_has_speaker_episode_chapter_and_linked_time() -> None:
    text = markdown_quote(
        QuotePlace(
            "I think *compute* is the currency.",
            place="12:34",
            link="https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=754s",
            speaker="Sam Altman",
            chapter="Compute",
            episode="Lex #419",
        )
    )
    assert text == (
        "> I think \\*compute\\* is the currency.\n"
        ">\n"
        "> — **Sam Altman** · *Lex \\#419* · Compute · [12:34](https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=754s)\n"
    )


def test_markdown_quote_without_anything_known() -> None:
    assert markdown_quote(QuotePlace("just words")) == "> just words\n"
