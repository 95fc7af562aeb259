"""A transcript that names its speakers, in the real window: labels in the reader, real time, a speaker filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from pathlib import Path

HOST, GUEST = "Sarah Chen", "Marcus Webb"
HOST_LINES = [
    "Thanks for joining me today, I wanted to ask about the ocean and the boats.",
    "Really? Tell me more about the boats and the nets you used back then.",
    "What did the ocean teach you about patience and about the weather?",
]
GUEST_LINES = [
    "It started on a fishing boat, of all places, when I was sixteen years old.",
    "My uncle ran charters out of Monterey and every summer I worked the deck of his boat.",
    "The ocean teaches you that the weather decides, and you listen or you go home early.",
]


def _rev_transcript(path: Path, rounds: int = 12) -> Path:
    lines, seconds = [], 2
    for number in range(rounds):
        for speaker, said in ((HOST, HOST_LINES), (GUEST, GUEST_LINES)):
            lines += [
                f"{speaker} ({seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}):",
                said[number % 3],
                "",
            ]
            seconds += 9
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_speakers_are_labels_and_a_filter_and_times_are_real(harness, tmp_path: Path, qtbot) -> None:
    window = harness.start()
    harness.open(_rev_transcript(tmp_path / "interview.txt"))
    labels = window.reader.speaker_labels()
    assert labels[:4] == [HOST, GUEST, HOST, GUEST]
    assert HOST not in window.session.document.text  # names are structure, not text
    assert ":" in window.status.position_label.text() and "/" in window.status.position_label.text()

    panel = window.search_panel
    combo = panel.speaker_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Everyone", HOST, GUEST]
    window.search_dock.show()
    qtbot.keyClicks(panel.query_edit, "ocean")
    qtbot.waitUntil(
        lambda: window.session.search_result is not None and window.session.search_result.query == "ocean",
        timeout=10_000,
    )
    both = window.session.search_result.total
    with qtbot.waitSignal(window.session.hits_changed, timeout=10_000):
        combo.setCurrentIndex(2)
    result = window.session.search_result
    transcript = window.session.document.transcript
    assert 0 < result.total < both
    assert {transcript.speaker_at(hit.start) for hit in result.hits} == {GUEST}
    assert panel.model.position_label(0).startswith(GUEST)


def test_a_failed_open_leaves_the_open_transcript_as_it_was(harness, tmp_path: Path, qtbot) -> None:
    window = harness.start()
    harness.open(_rev_transcript(tmp_path / "interview.txt"), wait_for="outline_ready")
    title, text = window.windowTitle(), window.reader.toPlainText()
    chapters = window.outline_panel.model.rowCount()
    broken = tmp_path / "notes.docx"
    broken.write_bytes(b"PK\x03\x04" + bytes(200))
    with qtbot.waitSignal(window.session.open_failed, timeout=10_000):
        window.open_path(str(broken))
    assert window.last_error is not None and window.last_error.icon() == QMessageBox.Icon.Warning
    assert "Word" in window.last_error.text() or "docx" in window.last_error.text().lower()
    assert (window.windowTitle(), window.reader.toPlainText()) == (title, text)
    assert window.outline_panel.model.rowCount() == chapters and chapters > 0
    assert "Finding chapters" not in window.outline_panel.status.text()
    assert window.last_error.textFormat() == Qt.TextFormat.PlainText


def test_the_episodes_own_chapters_are_shown_and_automatic_is_one_choice_away(harness, qtbot) -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "data" / "formats" / "chaptered-show.md"
    window = harness.start()
    harness.open(path)
    panel = window.outline_panel
    titles = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert titles == ["1. Introduction", "2. Anemones & urchins", "3. Protecting the coast"]
    assert "the episode's own" in panel.status.text()
    combo = panel.granularity
    assert combo.currentText() == "The episode's chapters"
    with qtbot.waitSignal(window.session.sections_changed, timeout=30_000):
        combo.setCurrentIndex(combo.findText("Automatic"))
        combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: "automatic" in panel.status.text(), timeout=30_000)
    with qtbot.waitSignal(window.session.sections_changed, timeout=5_000):
        combo.setCurrentIndex(combo.findText("The episode's chapters"))
        combo.activated.emit(combo.currentIndex())
    assert "the episode's own" in panel.status.text() and panel.model.rowCount() == 3


def test_a_youtube_chapter_list_becomes_the_outline(harness, seed_text: str, tmp_path: Path) -> None:
    path = tmp_path / "with-chapters.txt"
    chapters = "0:00 Introduction\n2:01 Jiu-jitsu competition\n16:24 AI and open source movement\n41:44 Apple Vision Pro"
    path.write_text(chapters + "\n\n" + seed_text, encoding="utf-8")
    window = harness.start()
    harness.open(path)
    panel = window.outline_panel
    titles = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert titles == [
        "1. Introduction",
        "2. Jiu-jitsu competition",
        "3. AI and open source movement",
        "4. Apple Vision Pro",
    ]
    starts = set(window.session.document.sentence_starts())
    assert all(section.start in starts or section.start == 0 for section in window.session.sections)


def _subtitles(path: Path, cues: int = 120) -> Path:
    blocks = []
    for number in range(cues):
        start = number * 5
        said = GUEST_LINES[number % 3] if number < 60 else HOST_LINES[number % 3]
        blocks.append(
            f"{number + 1}\n00:{start // 60:02d}:{start % 60:02d},000 --> 00:{(start + 5) // 60:02d}:"
            f"{(start + 5) % 60:02d},000\n{said}\n"
        )
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def test_a_podcasting20_chapters_file_beside_the_subtitles_is_the_outline(harness, tmp_path: Path) -> None:
    import json

    srt = _subtitles(tmp_path / "episode.en.srt")
    chapters = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Fishing boats"},
            {"startTime": 150, "title": "Sponsor", "toc": False},
            {"startTime": 300, "title": "The weather decides"},
        ],
    }
    (tmp_path / "episode.chapters.json").write_text(json.dumps(chapters), encoding="utf-8")
    window = harness.start()
    harness.open(srt)
    panel = window.outline_panel
    titles = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert titles == ["1. Fishing boats", "2. The weather decides"]
    assert "the episode's own" in panel.status.text()
    second = window.session.sections[1]
    assert window.session.document.transcript.time_at(second.start) == pytest.approx(300, abs=5)
