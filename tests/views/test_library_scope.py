"""The search panel's "Whole library" scope, as a user drives it: switch the scope, type, choose a hit."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.transcript import load_transcript
from desktop_app.views.library_hits_model import ROLE_EPISODE

DATA = Path(__file__).resolve().parent.parent / "data" / "library"
WAIT_MS = 120_000


def _window_with_library(harness, seed_path: Path, qtbot, tmp_path: Path):
    window = harness.start(library=True)
    window.resize(1300, 850)
    harness.open(seed_path)
    library = harness.library
    qtbot.waitUntil(lambda: library.catalog is not None and not library.indexing, timeout=WAIT_MS)
    folder = tmp_path / "episodes"
    shutil.copytree(DATA, folder)
    with qtbot.waitSignal(library.indexing_finished, timeout=WAIT_MS):
        library.add_paths([str(folder)])
    return window, library


def test_library_scope_groups_hits_by_episode_and_opens_the_chosen_one_with_every_hit_painted(
    harness, seed_path: Path, qtbot, tmp_path: Path
) -> None:
    window, library = _window_with_library(harness, seed_path, qtbot, tmp_path)
    panel = window.search_panel
    assert panel.scope_combo.isVisible()
    qtbot.keyClick(window.reader, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    panel.scope_combo.setCurrentIndex(panel.scope_combo.findText("Whole library"))
    with qtbot.waitSignal(
        library.results_ready, timeout=WAIT_MS, check_params_cb=lambda r: r.query == "patience"
    ):
        qtbot.keyClicks(panel.query_edit, "patience")
    qtbot.waitUntil(lambda: panel.library_model.result() is not None)
    model = panel.library_model
    assert panel.view.model() is model
    assert model.episode_count() == 3
    assert "in 3 episodes" in panel.status.text() and "episodes searched" in panel.status.text()
    first_group = model.index(0, 0)
    assert model.data(first_group, ROLE_EPISODE)  # the episode's title above its first chapter
    hit_index = model.index(0, 0, first_group)
    hit = model.hit(hit_index)
    assert hit is not None and hit.speaker  # who speaks, on the right of the row
    panel.view.scrollTo(hit_index)
    with qtbot.waitSignal(
        window.session.hits_changed,
        timeout=WAIT_MS,
        check_params_cb=lambda *_: (
            window.session.search_result is not None and window.session.search_result.query == "patience"
        ),
    ):
        qtbot.mouseClick(
            panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(hit_index).center()
        )
    qtbot.waitUntil(
        lambda: (
            window.session.document is not None and window.session.document.transcript.sha256 == hit.document
        ),
        timeout=WAIT_MS,
    )
    text = load_transcript(hit.path).text
    assert text[hit.start : hit.end].lower() == "patience"
    qtbot.waitUntil(lambda: any(s <= hit.start < e for s, e in window.reader.search_hits()), timeout=WAIT_MS)
    assert len(window.reader.search_hits()) == window.session.search_result.total
    assert panel.view.model() is model  # the library hits stay listed: the user may choose another one


def test_this_episode_scope_searches_the_open_transcript_again(
    harness, seed_path: Path, qtbot, tmp_path
) -> None:
    window, library = _window_with_library(harness, seed_path, qtbot, tmp_path)
    panel = window.search_panel
    panel.scope_combo.setCurrentIndex(panel.scope_combo.findText("Whole library"))
    with qtbot.waitSignal(
        library.results_ready, timeout=WAIT_MS, check_params_cb=lambda r: r.query == "llama"
    ):
        qtbot.keyClicks(panel.query_edit, "llama")
    with qtbot.waitSignal(
        window.session.search_service.results_ready,
        timeout=WAIT_MS,
        check_params_cb=lambda result: result.query == "llama",
    ):
        panel.scope_combo.setCurrentIndex(panel.scope_combo.findText("This episode"))
    assert panel.view.model() is panel.model
    assert panel.model.shown_count() >= 5


def _hit(document: str, title: str, start: int, section: str | None, number: int, speaker: str | None):
    from desktop_app.library.results import LibraryHit

    return LibraryHit(
        document,
        title,
        f"/x/{title}.txt",
        start,
        start + 4,
        f"…word {start}…",
        ((1, 5),),
        section,
        number,
        1.0,
        speaker,
    )


def test_library_hits_model_groups_episodes_then_chapters_and_passes_the_model_tester(qtmodeltester) -> None:
    from desktop_app.library.results import LibraryResult
    from desktop_app.views.library_hits_model import LibraryHitsModel
    from desktop_app.views.search_results_model import ROLE_COUNT, ROLE_KIND, ROLE_POSITION

    hits = (
        _hit("a", "Episode A", 10, "Intro", 0, "Host"),
        _hit("a", "Episode A", 50, "Intro", 0, "Guest"),
        _hit("a", "Episode A", 900, "Rockets", 1, "Guest"),
        _hit("b", "Episode B", 5, None, -1, None),
    )
    model = LibraryHitsModel()
    model.set_result(LibraryResult("word", hits, total=4, episodes_indexed=2))
    qtmodeltester.check(model)
    groups = [model.index(row, 0) for row in range(model.rowCount())]
    assert [(g.data(), g.data(ROLE_EPISODE), g.data(ROLE_COUNT)) for g in groups] == [
        ("Intro", "Episode A", 2),
        ("Rockets", "", 1),
        ("Matches", "Episode B", 1),
    ]
    assert groups[0].data(ROLE_KIND) == "group"
    first = model.index(1, 0, groups[0])
    assert first.data(ROLE_KIND) == "hit" and first.data(ROLE_POSITION) == "Guest"
    assert model.hit(first) == hits[1]
    assert (model.shown_count(), model.episode_count()) == (4, 2)
    model.set_result(None)
    assert model.rowCount() == 0
