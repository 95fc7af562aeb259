"""Detection by content and refusals in the user's terms."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import pytest
from format_samples import DATA

from desktop_app.formats import FILE_DIALOG_FILTER, SUPPORTED_SUFFIXES, TranscriptError, load
from desktop_app.transcript import load_transcript

if TYPE_CHECKING:
    from pathlib import Path


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


@pytest.mark.parametrize(
    "name, data, what",
    [
        ("interview.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (
            "page.html",
            b"<!DOCTYPE html>\n<html><head><title>Episode</title></head><body>hi</body></html>",
            "web page",
        ),
        ("data.json", b'{"name": "not a transcript", "items": [1, 2, 3]}', "JSON"),
        ("list.json", b"[1, 2, 3]", "JSON"),
        ("episode.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(200), "MP3"),
        ("notes.rtf", b"{\\rtf1\\ansi hello}", "RTF"),
        ("subs.ttml", b'<?xml version="1.0"?>\n<tt xmlns="http://www.w3.org/ns/ttml"><body/></tt>', "TTML"),
    ],
)
def test_unsupported_content_is_refused_in_plain_words(
    tmp_path: Path, name: str, data: bytes, what: str
) -> None:
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
