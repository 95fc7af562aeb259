"""The library panel with its service: add a folder, filter, search across episodes, open a hit, remove, resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.library.index import LibraryIndex, prepare_episode
from desktop_app.library.service import LibraryService
from desktop_app.paths import AppDirs
from desktop_app.tasks import TaskRunner
from desktop_app.transcript import load_transcript
from desktop_app.views.library_panel import LibraryPanel, connect_library_panel

DATA = Path(__file__).resolve().parent.parent / "data" / "library"
WAIT_MS = 60_000


@pytest.fixture
def library(qtbot, tmp_path):
    dirs = AppDirs(data=tmp_path / "data", cache=tmp_path / "cache", config=tmp_path / "config")
    dirs.ensure()
    tasks = TaskRunner()
    services = []

    def make(default_document=None):
        service = LibraryService(dirs, tasks, default_document=default_document)
        panel = LibraryPanel()
        qtbot.addWidget(panel)
        connect_library_panel(panel, service)
        services.append(service)
        return service, panel

    yield make
    for service in services:
        service.close()
    tasks.wait()
    for service in services:
        if service._index is not None:
            service._index.close()


def _episodes(tmp_path: Path) -> Path:
    folder = tmp_path / "episodes"
    shutil.copytree(DATA, folder)
    return folder


def _started(qtbot, service):
    with qtbot.waitSignal(service.indexing_finished, timeout=WAIT_MS):
        service.start()


def _add_folder(qtbot, service, panel, folder):
    with qtbot.waitSignal(service.indexing_finished, timeout=WAIT_MS):
        panel.add_paths([str(folder)])


def test_adding_a_folder_lists_and_indexes_it(qtbot, library, tmp_path):
    service, panel = library()
    _started(qtbot, service)
    assert panel.model.rowCount() == 0
    _add_folder(qtbot, service, panel, _episodes(tmp_path))
    assert panel.model.rowCount() == 3
    assert service.indexed_count == 3
    assert "3 documents indexed" in panel.status.text()
    panel.filter_field.setText("garden")
    assert panel.proxy.rowCount() == 1
    assert "Garden Hour" in panel.proxy.index(0, 0).data()
    panel.filter_field.setText("")
    panel.table.sortByColumn(0, panel.table.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    titles = [panel.proxy.index(row, 0).data() for row in range(3)]
    assert titles == sorted(titles, key=str.lower)


def test_library_search_groups_by_episode_and_opens_at_the_hit(qtbot, library, tmp_path):
    service, panel = library()
    _started(qtbot, service)
    _add_folder(qtbot, service, panel, _episodes(tmp_path))
    with qtbot.waitSignal(service.results_ready, timeout=WAIT_MS):
        panel.search_field.setText("patience")
    assert panel.results.group_count() == 3
    assert "documents searched" in panel.status.text()
    header = panel.results.index(0, 0)
    hit_index = panel.results.index(0, 0, header)
    hit = panel.results.hit(hit_index)
    assert hit is not None
    assert hit.speaker and f"{hit.speaker}: " in panel.results.data(hit_index)  # who says it
    with qtbot.waitSignal(panel.open_requested) as opened:
        panel.result_view.activated.emit(hit_index)
    path, offset = opened.args
    assert load_transcript(path).text[offset : offset + len("patience")].lower() == "patience"


def test_opening_a_document_from_the_list(qtbot, library, tmp_path):
    service, panel = library()
    _started(qtbot, service)
    _add_folder(qtbot, service, panel, _episodes(tmp_path))
    with qtbot.waitSignal(panel.open_requested) as opened:
        panel.table.activated.emit(panel.proxy.index(0, 0))
    assert Path(opened.args[0]).exists() and opened.args[1] == -1


def test_removing_a_document_drops_it_from_the_list_and_the_index(qtbot, library, tmp_path):
    service, panel = library()
    _started(qtbot, service)
    _add_folder(qtbot, service, panel, _episodes(tmp_path))
    row = next(r for r in range(3) if "rocket" in panel.proxy.index(r, 0).data(0x0003))  # tooltip: the path
    panel.table.selectRow(row)
    with qtbot.waitSignal(service.indexing_finished, timeout=WAIT_MS) as finished:
        panel.remove_selected()
    assert panel.model.rowCount() == 2 and len(finished.args[0].removed) == 1
    with qtbot.waitSignal(service.results_ready, timeout=WAIT_MS) as ready:
        service.search('"open source"')
    assert ready.args[0].total == 0


def _annotated_library(qtbot, library, tmp_path, note: str = ""):
    """A library of the three episodes, the garden one with a highlight on "marigolds" (with ``note``),
    started and its annotations read: (service, panel, the highlight, its annotations file)."""
    from desktop_app.annotations import store
    from desktop_app.annotations.model import Annotation

    folder = _episodes(tmp_path)
    garden = load_transcript(folder / "garden-episode.txt")
    path, _ = store.find_annotation_file(
        tmp_path / "data" / "annotations", garden.sha256, garden.source, garden.title
    )
    at = garden.text.index("marigolds")
    highlight = Annotation.create(garden.text, at, at + len("marigolds"), note=note)
    store.save(
        path, store.AnnotationFile(store.DocumentRef(garden.title, garden.sha256, garden.source), [highlight])
    )
    service, panel = library()
    with qtbot.waitSignal(service.annotations_read, timeout=WAIT_MS):
        service.start()
    with qtbot.waitSignal(service.annotations_read, timeout=WAIT_MS):
        panel.add_paths([str(folder)])
    return service, panel, highlight, path


def _select_garden(panel) -> None:
    row = next(r for r in range(3) if "garden" in panel.proxy.index(r, 0).data(0x0003))  # tooltip: the path
    panel.table.selectRow(row)


def _answer(qtbot, panel, button: str, trash: bool) -> None:
    from PySide6.QtWidgets import QCheckBox, QMessageBox

    panel.remove_selected()
    box = panel.removal_question
    assert isinstance(box, QMessageBox) and "highlights or notes" in box.informativeText()
    box.findChild(QCheckBox, "trash_annotations").setChecked(trash)
    chosen = next(b for b in box.buttons() if b.text().replace("&", "") == button)
    qtbot.mouseClick(chosen, Qt.MouseButton.LeftButton)


def test_removing_an_annotated_document_asks_and_keeps_its_highlights(qtbot, library, tmp_path):
    service, panel, _highlight, annotations = _annotated_library(qtbot, library, tmp_path)
    _select_garden(panel)
    _answer(qtbot, panel, "Cancel", trash=True)
    assert panel.model.rowCount() == 3 and annotations.exists()
    with qtbot.waitSignal(service.indexing_finished, timeout=WAIT_MS):
        _answer(qtbot, panel, "Remove", trash=False)
    assert panel.model.rowCount() == 2 and annotations.exists()


def test_removing_with_the_highlights_moves_them_to_the_trash(qtbot, library, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))  # the trash of this test
    service, panel, _highlight, annotations = _annotated_library(qtbot, library, tmp_path)
    _select_garden(panel)
    with qtbot.waitSignal(service.notice, timeout=WAIT_MS, check_params_cb=lambda m: "trash" in m) as notice:
        _answer(qtbot, panel, "Remove", trash=True)
    assert notice.args[0] == "Moved the highlights and notes of 1 transcript(s) to the trash"
    assert panel.model.rowCount() == 2 and not annotations.exists()
    assert (tmp_path / "home-data" / "Trash" / "files" / annotations.name).exists()


def test_the_highlights_of_the_open_document_are_never_trashed(qtbot, library, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    service, panel, _highlight, annotations = _annotated_library(qtbot, library, tmp_path)
    _select_garden(panel)
    garden = load_transcript(tmp_path / "episodes" / "garden-episode.txt")
    with qtbot.waitSignal(service.notice, timeout=WAIT_MS) as notice:
        service.remove([garden.sha256], trash_annotations=True, keep={garden.sha256})
    assert "open in the reader, are kept" in notice.args[0]
    assert annotations.exists() and len(service.entries()) == 2


def test_the_bundled_transcript_is_in_the_library_on_first_start(qtbot, library, tmp_path):
    source = tmp_path / "bundled.txt"
    shutil.copy(DATA / "rocket-episode.txt", source)
    service, panel = library(default_document=source)
    _started(qtbot, service)
    assert panel.model.rowCount() == 1 and service.indexed_count == 1


def test_a_start_completes_an_index_left_unfinished(qtbot, library, tmp_path):
    folder = _episodes(tmp_path)
    service, panel = library()
    _started(qtbot, service)
    _add_folder(qtbot, service, panel, folder)
    assert not service.indexing
    # as a killed run leaves it: one episode missing from the index
    index = LibraryIndex.open(tmp_path / "cache")
    missing = prepare_episode(str(folder / "garden-episode.txt"), None)
    index.remove([missing.sha256])
    index.close()
    again, panel_again = library()
    with qtbot.waitSignal(again.indexing_finished, timeout=WAIT_MS) as finished:
        again.start()
    assert finished.args[0].added == [missing.sha256]
    assert again.indexed_count == 3


def test_notes_are_counted_and_searchable_across_the_library(qtbot, library, tmp_path):
    service, panel, highlight, _path = _annotated_library(
        qtbot, library, tmp_path, note="companion planting against aphids"
    )
    garden = load_transcript(tmp_path / "episodes" / "garden-episode.txt")
    at = highlight.start
    entry = next(e for e in service.entries() if e.sha256 == garden.sha256)
    assert (entry.highlights, entry.notes) == (1, 1)
    with qtbot.waitSignal(service.results_ready, timeout=WAIT_MS) as ready:
        service.search("companion planting")
    hits = ready.args[0].hits
    assert [(h.note_id, h.start) for h in hits] == [(highlight.id, at)]
    assert "companion planting" in hits[0].snippet


def test_library_hits_name_speakers_as_the_user_corrected_them(qtbot, library, tmp_path):
    from desktop_app.annotations import store
    from desktop_app.annotations.model import make_target
    from desktop_app.speakers.edits import SpeakerEdits, TurnEdit, edits_to_record

    folder = _episodes(tmp_path)
    garden = load_transcript(folder / "garden-episode.txt")
    service, panel = library()
    # Each indexing run ends by reading the annotations files on a worker: wait for those reads too, or one made
    # before the corrections below are saved could answer the wait for the refresh that follows them.
    with qtbot.waitSignals([service.indexing_finished, service.annotations_read], timeout=WAIT_MS):
        service.start()
    with qtbot.waitSignals([service.indexing_finished, service.annotations_read], timeout=WAIT_MS):
        panel.add_paths([str(folder)])

    def hits_in_garden() -> list:
        with qtbot.waitSignal(service.results_ready, timeout=WAIT_MS) as ready:
            service.search("patience OR marigolds")
        return [h for h in ready.args[0].hits if h.document == garden.sha256]

    before = hits_in_garden()
    assert len(before) >= 2 and all(h.speaker for h in before)
    given = before[-1].paragraph  # this paragraph goes to someone else
    corrections = SpeakerEdits(
        renames={before[0].speaker: "Jane Gardener"},
        turns=(TurnEdit("Producer", make_target(garden.text, given[0], given[0] + 20)),),
    )
    path, _ = store.find_annotation_file(
        tmp_path / "data" / "annotations", garden.sha256, garden.source, garden.title
    )
    ref = store.DocumentRef(garden.title, garden.sha256, garden.source)
    store.save(path, store.AnnotationFile(ref, [], speakers=edits_to_record(corrections)))
    with qtbot.waitSignal(service.annotations_read, timeout=WAIT_MS):
        service.refresh_annotations([garden.sha256])
    expected = [
        "Producer" if h.paragraph == given else corrections.renames.get(h.speaker, h.speaker) for h in before
    ]
    assert [h.speaker for h in hits_in_garden()] == expected
    assert "Jane Gardener" in expected


def test_indexing_on_a_thread_of_the_app_works_too(qtbot, library, tmp_path):
    service, panel = library()
    service.in_process = True
    _started(qtbot, service)
    _add_folder(qtbot, service, panel, _episodes(tmp_path))
    assert service.indexed_count == 3
    with qtbot.waitSignal(service.results_ready, timeout=WAIT_MS) as ready:
        service.search("sourdough")
    assert [Path(h.path).name for h in ready.args[0].hits] == ["bakery-episode.srt"]


def test_a_large_folder_is_listed_in_a_child_process_batch_by_batch_without_resets(qtbot, library, tmp_path):
    service, panel = library()
    _started(qtbot, service)
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(45):  # two batches of READ_BATCH: read in a spawned process
        (folder / f"episode-{number:02d}.txt").write_text(
            f"episode {number} of the show we talk about gardens number {number} and soil", encoding="utf-8"
        )
    resets, inserted = [], []
    panel.model.modelReset.connect(lambda: resets.append(1))
    panel.model.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    with qtbot.waitSignal(
        service.adding, timeout=WAIT_MS, check_params_cb=lambda done, total: done == total == 0
    ):
        panel.add_paths([str(folder)])
    assert panel.model.rowCount() == 45
    assert resets == [] and sum(inserted) == 45 and len(inserted) == 2
    titles = sorted(panel.proxy.index(row, 0).data() for row in range(45))
    assert titles[0].lower().startswith("episode 00")


def test_the_list_model_inserts_appended_entries_updates_changed_ones_and_resets_on_removal(qtbot):
    from desktop_app.library.catalog import Entry
    from desktop_app.views.library_panel import LibraryTableModel

    model = LibraryTableModel()
    first = [Entry(sha256=f"{n:064x}", path=f"/x/{n}.txt", title=f"Episode {n}") for n in range(3)]
    model.set_entries(first)
    events: list[tuple[str, int]] = []
    model.modelReset.connect(lambda: events.append(("reset", -1)))
    model.rowsInserted.connect(lambda _p, a, b: events.append(("inserted", b - a + 1)))
    model.dataChanged.connect(lambda top, _bottom, _roles: events.append(("changed", top.row())))
    read = Entry(sha256=first[1].sha256, path=first[1].path, title=first[1].title, progress=0.5)
    more = [Entry(sha256=f"{n:064x}", path=f"/x/{n}.txt", title=f"Episode {n}") for n in range(3, 5)]
    model.set_entries([first[0], read, first[2], *more])
    assert events == [("changed", 1), ("inserted", 2)]
    assert model.rowCount() == 5 and model.index(1, 4).data() == "50 %"
    events.clear()
    model.set_entries([first[0], *more])
    assert events == [("reset", -1)] and model.rowCount() == 3


def test_files_are_still_read_when_no_process_can_start(tmp_path, monkeypatch):
    import concurrent.futures

    from desktop_app.library import service as library_service

    def no_process(*_args, **_kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_process)
    files = []
    for number in range(3):
        path = tmp_path / f"talk-{number}.txt"
        path.write_text(f"talk number {number} about rivers and bridges", encoding="utf-8")
        files.append(path)
    described = list(library_service._describe_batches([files[:2], files[2:]], in_child=True))
    assert [len(entries) for entries, _bad in described] == [2, 1]


def test_titles_stay_readable_in_a_narrow_dock(qtbot, library, tmp_path):
    """The six short columns kept 100 px each, so in a dock of 600 px or less the titles were two letters and an
    ellipsis ("Le…"). A narrow panel now leaves out the lesser columns; a wide one shows them all."""
    from desktop_app.views.library_panel import COLUMNS, TITLE_MIN_WIDTH

    service, panel = library()
    _started(qtbot, service)
    _add_folder(qtbot, service, panel, _episodes(tmp_path))
    header = panel.table.horizontalHeader()
    panel.show()
    for width, all_shown in ((340, False), (1400, True), (340, False), (470, False)):  # narrow, wide, medium
        with qtbot.waitSignal(panel._fit_timer.timeout, timeout=5000):
            panel.resize(width, 600)
        shown = [c for c in range(len(COLUMNS)) if not header.isSectionHidden(c)]
        assert (shown == list(range(len(COLUMNS)))) is all_shown
        assert 0 in shown and 2 in shown  # the title and the length always
        assert header.sectionSize(0) >= TITLE_MIN_WIDTH, (width, shown)


def test_a_folder_added_before_the_library_opens_is_listed_once_it_does(qtbot, library, tmp_path):
    service, panel = library()
    service.in_process = True
    with qtbot.waitSignal(service.adding, timeout=WAIT_MS, check_params_cb=lambda done, total: total == 0):
        panel.add_paths([str(_episodes(tmp_path))])  # a folder dropped at once, before the first paint
    assert service.catalog is None
    _started(qtbot, service)
    assert panel.model.rowCount() == 3
    assert service.indexed_count == 3
