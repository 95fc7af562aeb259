"""Loading transcripts: formats, encodings, newlines, and every kind of bad input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from desktop_app.transcript import (
    TranscriptError,
    decode,
    load_transcript,
    sha256_text,
)

SRT = """1
00:00:00,000 --> 00:00:02,500
hello and welcome to the show

2
00:00:02,500 --> 00:00:05,000
<i>today</i> we talk about
search engines

3
00:01:05,000 --> 00:01:08,000
LEX: so tell me about yourself
"""

VTT = """WEBVTT
Kind: captions

NOTE a comment block

intro
00:00.000 --> 00:03.000 align:start
<v Roger Bingham>we are in new york city

00:03.000 --> 00:06.500
and we're going to be talking
"""


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_seed_loads_as_one_line_of_text(seed_path: Path) -> None:
    transcript = load_transcript(seed_path)
    assert transcript.format == "text"
    assert transcript.word_count == 29633
    assert transcript.sha256 == sha256_text(transcript.text)
    assert "Zuckerberg" in transcript.title
    assert transcript.time_at(100) is None


def test_srt_cues_joined_with_spaces_and_timed(tmp_path: Path) -> None:
    transcript = load_transcript(write(tmp_path, "episode.srt", SRT))
    assert transcript.format == "srt"
    assert transcript.text.startswith("hello and welcome to the show today we talk about search engines")
    assert transcript.text.endswith("search engines\nso tell me about yourself")  # a speaker starts a line
    assert [(t.speaker, transcript.text[t.start : t.end]) for t in transcript.turns] == [
        ("LEX", "so tell me about yourself")
    ]
    assert len(transcript.cues) == 3
    for cue in transcript.cues:
        assert transcript.text[cue.start : cue.end].strip() == transcript.text[cue.start : cue.end]
    second = transcript.cues[1]
    assert transcript.text[second.start : second.end] == "today we talk about search engines"
    assert transcript.time_at(second.start) == pytest.approx(2.5)
    assert transcript.time_at(transcript.cues[2].end) == pytest.approx(68.0)


def test_vtt_header_notes_ids_settings_and_voice_tags(tmp_path: Path) -> None:
    transcript = load_transcript(write(tmp_path, "talk.vtt", VTT))
    assert transcript.format == "vtt"
    assert transcript.text == "we are in new york city and we're going to be talking"
    assert transcript.speakers == ("Roger Bingham",)  # the voice goes on: one turn
    assert transcript.speaker_at(len(transcript.text) - 1) == "Roger Bingham"
    assert transcript.cues[1].t_end == pytest.approx(6.5)


def test_real_subtitles_join_to_the_plain_text() -> None:
    """Excerpts of two dev-corpus episodes (first 40 cues); the expected text is the episode's own plain text."""
    folder = Path(__file__).parent / "data" / "subtitles"
    for name in ("lex-416-yann-lecun.srt", "vector-yury-malkov-hnsw.vtt"):
        transcript = load_transcript(folder / name)
        expected = (folder / (name.rsplit(".", 1)[0] + ".expected.txt")).read_text(encoding="utf-8").strip()
        assert transcript.text == expected
        assert len(transcript.cues) == 40
        assert all(a.t_start <= b.t_start for a, b in zip(transcript.cues, transcript.cues[1:], strict=False))


@pytest.mark.parametrize(
    "data, expected",
    [
        (codecs.BOM_UTF8 + "café".encode(), "café"),
        (codecs.BOM_UTF16_LE + "naïve".encode("utf-16-le"), "naïve"),
        (codecs.BOM_UTF16_BE + "naïve".encode("utf-16-be"), "naïve"),
        (b"line one\r\nline two\rthree", "line one\nline two\nthree"),
        # UTF-16 without a byte order mark, as some Windows tools save it (was "a binary file")
        (
            "Sarah: naïve question, I know.\r\nMarcus: go on.".encode("utf-16-le"),
            "Sarah: naïve question, I know.\nMarcus: go on.",
        ),
        ("Sarah: naïve question, I know.".encode("utf-16-be"), "Sarah: naïve question, I know."),
    ],
)
def test_encodings_and_newlines(data: bytes, expected: str) -> None:
    text, warnings = decode(data)
    assert text == expected
    assert warnings == []


def test_cp1252_fallback_warns(tmp_path: Path) -> None:
    transcript = load_transcript(write(tmp_path, "latin.txt", "déjà vu — it’s here".encode("cp1252")))
    assert transcript.text == "déjà vu — it’s here"
    assert transcript.warnings and "Windows-1252" in transcript.warnings[0]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n \t ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        ("controls.txt", bytes(range(1, 9)) * 200, "binary"),
        ("bad16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "not valid UTF-16"),
        ("broken.srt", "1\n00:00:01,000 --> garbage\nhello\n", "malformed timing"),
        ("nocues.vtt", "WEBVTT\n\nNOTE only a note\n", "no subtitle cues"),
    ],
)
def test_bad_input_gets_a_clear_message(tmp_path: Path, name: str, data: bytes | str, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        load_transcript(write(tmp_path, name, data))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="does not exist"):
        load_transcript(tmp_path / "nope.txt")
    with pytest.raises(TranscriptError, match="is a folder"):
        load_transcript(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.txt", "words")

    def deny(*_args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("desktop_app.formats.source.os.open", deny)
    with pytest.raises(TranscriptError, match="permission"):
        load_transcript(path)


def test_huge_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:  # sparse: 100 MB without writing it
        stream.truncate(100 * 1024 * 1024)
    with pytest.raises(TranscriptError, match="MB"):
        load_transcript(path)


def test_fifty_megabyte_transcript_loads(tmp_path: Path) -> None:
    chunk = ("so i think that's a really interesting question about open source models " * 1000).encode()
    path = tmp_path / "big.txt"
    with path.open("wb") as stream:
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            stream.write(chunk)
    transcript = load_transcript(path)
    assert len(transcript.text) > 49 * 1024 * 1024


def test_titles_from_the_introduction_or_the_file_name(tmp_path: Path) -> None:
    intro = "the following is a conversation with Yann LeCun his third time on this podcast this is the Lex Fridman podcast"
    assert load_transcript(write(tmp_path, "x.txt", intro)).title == "Lex Fridman Podcast: Yann LeCun"
    team = "this is a conversation with the founding members of the team this is the Lex Fridman podcast"
    assert load_transcript(write(tmp_path, "lex-447-cursor-team.txt", team)).title == "Lex 447 Cursor Team"
    assert load_transcript(write(tmp_path, "My Talk_2024.txt", "words")).title == "My Talk 2024"
