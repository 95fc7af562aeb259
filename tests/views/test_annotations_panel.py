"""The annotations panel: model and proxy (checked by Qt's model tester), filters, sorting, keys and signals."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialog, QLineEdit

from desktop_app.annotations.model import AnchorStatus, Annotation
from desktop_app.timeline import ChapterRow
from desktop_app.views.annotations_model import (
    ORPHANS_TITLE,
    ROLE_COLOR,
    ROLE_ID,
    ROLE_IS_ORPHAN,
    ROLE_KIND,
    ROLE_NOTE,
    ROLE_POSITION,
    ROLE_QUOTE,
    ROLE_START,
    ROLE_SWATCH,
    ROLE_TAGS,
    ROLE_UPDATED,
    AnnotationsFilterProxy,
    AnnotationsModel,
)
from desktop_app.views.annotations_panel import AnnotationsPanel

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

TEXT = (
    "we talked about open source models and the metaverse then about jiu jitsu and fear "
    "and later about the future of work and what it means to build things for billions of people"
)


SECTIONS = [
    ChapterRow("Open source", 0, TEXT.index("then"), "1 min"),
    ChapterRow("Jiu jitsu", TEXT.index("then"), TEXT.index("and later"), "1 min"),
    ChapterRow("The future", TEXT.index("and later"), len(TEXT), "1 min"),
]


def places(notes: list[Annotation], label: str = "@") -> dict[str, str]:
    """What the session gives the panel: each highlight's place, by id."""
    return {n.id: f"{label}{n.start}" for n in notes}


def make(
    word: str,
    color: str = "yellow",
    note: str = "",
    tags: tuple[str, ...] = (),
    when: str = "2026-11-01T10:00:00Z",
) -> Annotation:
    start = TEXT.index(word)
    return Annotation.create(TEXT, start, start + len(word), color=color, note=note, tags=tags, now=when)


@pytest.fixture
def notes() -> list[Annotation]:
    return [
        make("open source models", "yellow", "Llama is open", ("ai", "open"), "2026-11-01T10:00:00Z"),
        make("metaverse", "blue", "", ("vr",), "2026-11-03T10:00:00.500Z"),
        make("jiu jitsu", "green", "Martial arts\nsecond line", ("sport",), "2026-11-02T10:00:00Z"),
        make("future of work", "pink", "", (), "2026-11-04T09:00:00Z"),
        dataclasses.replace(
            make("billions of people", "purple", "lost", ("ai",), "2026-11-01T12:00:00Z"),
            status=AnchorStatus.ORPHAN,
        ),
    ]


@pytest.fixture
def panel(qtbot, notes: list[Annotation]) -> AnnotationsPanel:
    widget = AnnotationsPanel()
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    widget.set_annotations(notes, SECTIONS, {"yellow": "Key idea"}, places(notes))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def tree(model: QAbstractItemModel) -> list[tuple[str, list[str]]]:
    """(chapter title, [quotes]) as the model shows them."""
    rows = []
    for row in range(model.rowCount()):
        parent = model.index(row, 0)
        quotes = [model.index(c, 0, parent).data(ROLE_QUOTE) for c in range(model.rowCount(parent))]
        rows.append((parent.data(), quotes))
    return rows


def view_index(panel: AnnotationsPanel, annotation_id: str) -> QModelIndex:
    index = panel.proxy.mapFromSource(panel.model.find(annotation_id))
    assert index.isValid()
    return index


def test_model_passes_the_model_tester(qtmodeltester, notes: list[Annotation]) -> None:
    model = AnnotationsModel()
    qtmodeltester.check(model)
    model.set_annotations(notes, SECTIONS, {}, places(notes, ""))
    model.set_annotations(notes[:2], SECTIONS)
    model.set_annotations([dataclasses.replace(notes[0], note="changed"), notes[1]], SECTIONS)
    model.set_annotations(notes, [])
    model.set_sort_mode("date")  # rows move: layoutChanged
    model.set_annotations([n.edited(now="2026-12-01T00:00:00Z") if n is notes[1] else n for n in notes], [])
    model.set_sort_mode("position")
    model.set_dark(True)
    model.set_annotations([], SECTIONS)


def test_proxy_passes_the_model_tester(qtmodeltester, notes: list[Annotation]) -> None:
    model = AnnotationsModel()
    model.set_annotations(notes, SECTIONS)
    proxy = AnnotationsFilterProxy()
    proxy.setSourceModel(model)
    source_tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    qtmodeltester.check(proxy)
    proxy.set_color_filter(["green", "purple"])
    proxy.set_text_filter("martial")
    proxy.set_sort_mode("date")
    model.set_annotations([dataclasses.replace(n, note="x") for n in notes], SECTIONS)
    proxy.set_text_filter("")
    proxy.set_color_filter([])
    model.set_annotations(notes[:3], SECTIONS)
    assert source_tester is not None


def test_grouped_by_chapter_in_document_order_with_orphans_last(qapp, notes: list[Annotation]) -> None:
    model = AnnotationsModel()
    model.set_annotations(list(reversed(notes)), SECTIONS, {}, places(notes, "at "))
    assert tree(model) == [
        ("Open source", ["open source models", "metaverse"]),
        ("Jiu jitsu", ["jiu jitsu"]),
        ("The future", ["future of work"]),
        (ORPHANS_TITLE, ["billions of people"]),
    ]
    orphan = model.index(0, 0, model.index(3, 0))
    assert orphan.data(ROLE_IS_ORPHAN) is True and model.index(3, 0).data(ROLE_IS_ORPHAN) is True
    assert orphan.data(ROLE_POSITION) == "not found in the text"
    first = model.index(0, 0, model.index(0, 0))
    assert first.data(ROLE_KIND) == "annotation" and model.index(0, 0).data(ROLE_KIND) == "chapter"
    assert first.data(ROLE_POSITION) == f"at {TEXT.index('open source')}"
    assert first.data(ROLE_START) == TEXT.index("open source")
    assert first.data(ROLE_TAGS) == ["ai", "open"] and first.data(ROLE_NOTE) == "Llama is open"
    assert first.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Key idea" in first.data(Qt.ItemDataRole.ToolTipRole)


def test_long_quotes_are_shortened_and_no_sections_means_one_group(qapp) -> None:
    long_text = "word " * 100
    annotation = Annotation.create(long_text, 0, len(long_text) - 1)
    model = AnnotationsModel()
    model.set_annotations([annotation], [])
    child = model.index(0, 0, model.index(0, 0))
    assert len(child.data()) <= 140 and child.data().endswith("…")
    assert child.data(ROLE_QUOTE) == long_text[:-1]


def test_content_edits_update_rows_without_a_reset(
    qtbot, panel: AnnotationsPanel, notes: list[Annotation]
) -> None:
    panel.select_annotation(notes[2].id)
    resets: list[bool] = []
    panel.model.modelReset.connect(lambda: resets.append(True))
    edited = [
        dataclasses.replace(n, note="new note", updated="2026-11-09T00:00:00Z") if n is notes[2] else n
        for n in notes
    ]
    with qtbot.waitSignal(panel.model.dataChanged):
        panel.set_annotations(edited, SECTIONS, {"yellow": "Key idea"})
    assert not resets
    assert view_index(panel, notes[2].id).data(ROLE_NOTE) == "new note"
    assert panel.current_annotation() == notes[2].id
    panel.set_annotations(edited[:-1], SECTIONS)  # an annotation went away: reset, selection kept
    assert resets and panel.current_annotation() == notes[2].id


def test_filter_by_colour_tag_and_text_hides_empty_chapters(panel: AnnotationsPanel) -> None:
    panel.color_buttons["green"].click()
    assert tree(panel.proxy) == [("Jiu jitsu", ["jiu jitsu"])]
    panel.color_buttons["purple"].click()
    assert tree(panel.proxy) == [("Jiu jitsu", ["jiu jitsu"]), (ORPHANS_TITLE, ["billions of people"])]
    assert panel.count_label.text().startswith("2 of 5 highlights")
    panel.color_buttons["green"].click()
    panel.color_buttons["purple"].click()
    assert len(tree(panel.proxy)) == 4

    panel.tag_combo.setCurrentIndex(panel.tag_combo.findData("ai"))
    assert tree(panel.proxy) == [
        ("Open source", ["open source models"]),
        (ORPHANS_TITLE, ["billions of people"]),
    ]
    panel.tag_combo.setCurrentIndex(0)

    panel.filter_edit.setText("MARTIAL arts")  # note text, case-insensitive, every word
    assert tree(panel.proxy) == [("Jiu jitsu", ["jiu jitsu"])]
    panel.filter_edit.setText("vr")  # a tag
    assert tree(panel.proxy) == [("Open source", ["metaverse"])]
    panel.filter_edit.setText("future work")  # the quote
    assert tree(panel.proxy) == [("The future", ["future of work"])]
    panel.filter_edit.setText("nothing like this")
    assert tree(panel.proxy) == []
    assert panel.count_label.text().startswith("0 of 5")
    panel.filter_edit.clear()
    assert panel.count_label.text() == "5 highlights · 3 notes · 1 unplaced"


def test_tag_combo_lists_tags_with_counts_and_survives_updates(
    panel: AnnotationsPanel, notes: list[Annotation]
) -> None:
    labels = [panel.tag_combo.itemText(i) for i in range(panel.tag_combo.count())]
    assert labels == ["All tags", "ai (2)", "open (1)", "sport (1)", "vr (1)"]
    panel.tag_combo.setCurrentIndex(panel.tag_combo.findData("sport"))
    panel.set_annotations(notes, SECTIONS)
    assert panel.tag_combo.currentData() == "sport" and len(tree(panel.proxy)) == 1
    panel.set_annotations([n for n in notes if "sport" not in n.tags], SECTIONS)  # the tag is gone
    assert panel.tag_combo.currentData() == "" and sum(len(q) for _t, q in tree(panel.proxy)) == 4


def test_sort_by_date_newest_first_and_back(panel: AnnotationsPanel) -> None:
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("date"))
    assert tree(panel.proxy) == [
        ("The future", ["future of work"]),  # 11-04
        ("Open source", ["metaverse", "open source models"]),  # 11-03 (with milliseconds), 11-01
        ("Jiu jitsu", ["jiu jitsu"]),  # 11-02
        (ORPHANS_TITLE, ["billions of people"]),  # always last
    ]
    assert all(panel.view.isExpanded(panel.proxy.index(row, 0)) for row in range(panel.proxy.rowCount()))
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("position"))
    assert [title for title, _ in tree(panel.proxy)] == [
        "Open source",
        "Jiu jitsu",
        "The future",
        ORPHANS_TITLE,
    ]


def test_an_edit_moves_to_the_top_by_date_keeping_selection(
    qtbot, panel: AnnotationsPanel, notes: list[Annotation]
) -> None:
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("date"))
    panel.select_annotation(notes[0].id)
    resets: list[bool] = []
    panel.model.modelReset.connect(lambda: resets.append(True))
    edited = [n.edited(note="newest", now="2026-11-20T00:00:00Z") if n is notes[0] else n for n in notes]
    with qtbot.waitSignal(panel.model.layoutChanged):
        panel.set_annotations(edited, SECTIONS)
    assert not resets
    assert tree(panel.proxy)[0] == ("Open source", ["open source models", "metaverse"])
    assert panel.current_annotation() == notes[0].id
    assert view_index(panel, notes[0].id).data(ROLE_NOTE) == "newest"
    assert panel.model.index(0, 0).data(ROLE_UPDATED) == "2026-11-20T00:00:00Z"


def test_click_and_enter_activate_and_select(qtbot, panel: AnnotationsPanel, notes: list[Annotation]) -> None:
    index = view_index(panel, notes[2].id)
    rect = panel.view.visualRect(index)
    activated: list[str] = []
    panel.annotation_activated.connect(activated.append)
    with qtbot.waitSignal(panel.current_changed) as selected:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == [notes[2].id] and activated == [notes[2].id]
    panel.view.setFocus()
    with qtbot.waitSignal(panel.current_changed) as moved:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert moved.args == [notes[3].id]
    with qtbot.waitSignal(panel.annotation_activated) as entered:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert entered.args == [notes[3].id]


def test_delete_key_asks_to_delete_the_current_annotation(
    qtbot, panel: AnnotationsPanel, notes: list[Annotation]
) -> None:
    panel.select_annotation(notes[1].id)
    panel.view.setFocus()
    with qtbot.waitSignal(panel.delete_requested) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert blocker.args == [notes[1].id]
    panel.select_annotation("")
    with qtbot.assertNotEmitted(panel.delete_requested):
        qtbot.keyClick(panel.view, Qt.Key.Key_Delete)


def test_programmatic_selection_emits_nothing(
    qtbot, panel: AnnotationsPanel, notes: list[Annotation]
) -> None:
    with qtbot.assertNotEmitted(panel.current_changed), qtbot.assertNotEmitted(panel.annotation_activated):
        panel.select_annotation(notes[4].id)
        assert panel.current_annotation() == notes[4].id
        panel.filter_edit.setText("jiu")  # hides the selection
        assert panel.current_annotation() == ""
        panel.filter_edit.clear()  # and it comes back
        assert panel.current_annotation() == notes[4].id
        panel.set_annotations(notes[1:], SECTIONS)
        panel.select_annotation("")
    assert panel.current_annotation() == ""


def test_context_menu_changes_colour_and_deletes(
    qtbot, panel: AnnotationsPanel, notes: list[Annotation]
) -> None:
    menu = panel.context_menu(view_index(panel, notes[0].id))
    blue = next(a for a in menu.findChildren(type(menu.actions()[0])) if a.objectName() == "color_blue")
    with qtbot.waitSignal(panel.color_change_requested) as blocker:
        blue.trigger()
    assert blocker.args == [notes[0].id, "blue"]
    delete = next(a for a in menu.actions() if a.objectName() == "delete_highlight")
    with qtbot.waitSignal(panel.delete_requested) as deleted:
        delete.trigger()
    assert deleted.args == [notes[0].id]
    assert [a.text() for a in panel.context_menu(QModelIndex()).actions()] == ["Edit Colour Meanings…"]


def test_colour_meanings_dialog_asks_for_renamed_colours_only(qtbot, panel: AnnotationsPanel) -> None:
    dialog = panel.edit_color_meanings()
    fields = dialog.findChildren(QLineEdit)
    assert [f.text() for f in fields][:2] == ["Key idea", "Quote"]
    fields[0].setText("  Big   idea ")
    fields[2].setText("")  # emptied: ignored
    with qtbot.waitSignal(panel.color_meaning_change_requested) as blocker:
        dialog.done(QDialog.DialogCode.Accepted)
    assert blocker.args == ["yellow", "Big idea"]


def test_file_path_and_counts(panel: AnnotationsPanel, notes: list[Annotation]) -> None:
    panel.set_file_path("/home/me/notes/lex-383.annotations.yaml")
    assert panel.file_path.text() == "/home/me/notes/lex-383.annotations.yaml"
    assert panel.file_path.isReadOnly()
    panel.set_annotations(notes[:1], SECTIONS)
    assert panel.count_label.text() == "1 highlight · 1 note"
    panel.set_annotations([], SECTIONS)
    assert panel.count_label.text().startswith("No highlights yet")


def test_dark_palette_switches_swatches(panel: AnnotationsPanel, notes: list[Annotation]) -> None:
    index = view_index(panel, notes[0].id)
    light = index.data(ROLE_SWATCH).name()
    palette = QPalette(panel.palette())
    palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.black)
    panel.setPalette(palette)
    assert index.data(ROLE_SWATCH).name() != light
    assert index.data(ROLE_COLOR) == "yellow" and index.data(ROLE_ID) == notes[0].id
    panel.view.viewport().repaint()  # the delegate paints cards and chapter headers without errors


def test_adding_an_annotation_keeps_the_scroll_position(qtbot, panel: AnnotationsPanel) -> None:
    many = [Annotation.create(TEXT, start, start + 6) for start in range(0, 150, 2)]
    panel.resize(300, 300)
    panel.set_annotations(many, SECTIONS)
    bar = panel.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    middle = bar.value()
    with qtbot.waitSignal(panel.model.modelReset):
        panel.set_annotations([*many, Annotation.create(TEXT, 160, 170)], SECTIONS)
    assert bar.value() == middle > 0


def test_tooltips_show_notes_as_written(qtbot) -> None:
    hostile = make("metaverse", "blue", "<a href='https://example.com'>click</a> <b>bold</b>")
    panel = AnnotationsPanel()
    qtbot.addWidget(panel)
    panel.set_annotations([hostile], SECTIONS, {}, places([hostile]))
    index = panel.model.find(hostile.id)
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "<a href" not in tip and "&lt;a href=" in tip  # shown as text, never a link
