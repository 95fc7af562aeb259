"""ReaderView on its own: document offsets in and out, and speaker labels that are display text only."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextCursor

from desktop_app.display_text import DocOffset, build_display
from desktop_app.readability.segmentation import Paragraph, Readable, Sentence
from desktop_app.views.reader_view import HighlightSpan, ReaderView
from desktop_app.views.theme import DARK

DOC = "so what do you think about open source i think it is good for everyone yes it is"


def _readable() -> Readable:
    cuts = [0, DOC.index("i think"), DOC.index("yes")]
    ends = [DOC.index(" i think"), DOC.index(" yes"), len(DOC)]
    return Readable(
        paragraphs=tuple(Paragraph(a, b, (Sentence(a, b, "."),)) for a, b in zip(cuts, ends, strict=True))
    )


def _reader(qtbot) -> ReaderView:
    reader = ReaderView()
    qtbot.addWidget(reader)
    reader.resize(700, 400)
    reader.set_display(build_display(DOC, _readable(), ["Lex Fridman", "Mark Zuckerberg", "Lex Fridman"]))
    reader.show()
    qtbot.waitExposed(reader)
    return reader


def test_labels_are_styled_run_in_heads(qtbot) -> None:
    reader = _reader(qtbot)
    assert reader.speaker_labels() == ["Lex Fridman", "Mark Zuckerberg", "Lex Fridman"]
    text = reader.toPlainText()
    cursor = QTextCursor(reader.document())
    cursor.setPosition(text.index("Mark Zuckerberg") + 1)
    assert cursor.charFormat().fontCapitalization() == QFont.Capitalization.SmallCaps
    cursor.setPosition(text.index("think it") + 1)
    assert cursor.charFormat().fontCapitalization() != QFont.Capitalization.SmallCaps
    reader.set_colors(DARK)  # the labels keep their style in the other theme
    assert reader.speaker_labels() == ["Lex Fridman", "Mark Zuckerberg", "Lex Fridman"]


def test_a_selection_over_a_label_gives_only_document_words(qtbot) -> None:
    reader = _reader(qtbot)
    text = reader.toPlainText()
    cursor = reader.textCursor()
    cursor.setPosition(text.index("Mark Zuckerberg"))
    cursor.setPosition(text.index(" it is good"), QTextCursor.MoveMode.KeepAnchor)
    reader.setTextCursor(cursor)
    start, end = reader.selection_range()
    assert DOC[start:end].strip() == "i think"


def test_highlights_and_hits_are_given_and_read_in_document_offsets(qtbot) -> None:
    reader = _reader(qtbot)
    start = DocOffset(DOC.index("open source"))
    end = DocOffset(start + len("open source"))
    reader.set_highlights([HighlightSpan("a", start, end, "green")])
    reader.set_search_hits([(start, end)], current=(start, end))
    assert reader.highlight_at(start + 3) is not None and reader.highlight_at(end) is None
    assert reader.search_hits() == [(start, end)] and reader.current_hit() == (start, end)
    shown = reader.extraSelections()
    assert shown[-1].cursor.selectedText().lower() == "open source"
    reader.select_range(start, end)
    assert reader.selection_range() == (start, end)
    reader.scroll_to_offset(DOC.index("yes"))
    assert 0 <= reader.top_offset() <= len(DOC)
