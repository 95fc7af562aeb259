"""The library catalog: add files and folders, remove, moved files found by content, first start."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from desktop_app.library import catalog as lib

DATA = Path(__file__).parent / "data" / "library"


def _copy_fixtures(folder: Path) -> Path:
    target = folder / "episodes"
    shutil.copytree(DATA, target)
    return target


def test_add_a_folder_lists_every_transcript_with_its_details(tmp_path):
    folder = _copy_fixtures(tmp_path)
    (folder / "notes.pdf").write_bytes(b"%PDF")
    catalog = lib.Catalog.open(tmp_path / "data" / lib.CATALOG_FILE)
    result = catalog.add_files([folder])
    assert len(result.added) == 3 and not result.failed
    by_name = {Path(e.path).name: e for e in catalog.entries()}
    garden = by_name["garden-episode.txt"]
    assert garden.title == "The Garden Hour: Soil and Patience (#12)"
    assert garden.source_url == "https://www.youtube.com/watch?v=AbCdEfGhIjk"
    assert garden.show == "episodes" and garden.words > 150 and garden.duration is None
    assert by_name["bakery-episode.srt"].duration == 62.0
    saved = json.loads((tmp_path / "data" / lib.CATALOG_FILE).read_text(encoding="utf-8"))
    assert len(saved["documents"]) == 3


def test_adding_again_changes_nothing_and_a_moved_file_is_found_by_its_text(tmp_path):
    folder = _copy_fixtures(tmp_path)
    catalog = lib.Catalog.open(tmp_path / lib.CATALOG_FILE)
    catalog.add_files([folder])
    assert len(catalog.add_files([folder]).unchanged) == 3
    moved_to = tmp_path / "elsewhere"
    moved_to.mkdir()
    (folder / "rocket-episode.txt").rename(moved_to / "renamed.txt")
    assert [Path(e.path).name for e in catalog.check_files()] == ["rocket-episode.txt"]
    found = catalog.relocate([moved_to])
    assert [Path(e.path).name for e in found] == ["renamed.txt"]
    reopened = lib.Catalog.open(tmp_path / lib.CATALOG_FILE)
    assert len(reopened) == 3 and not any(e.missing for e in reopened.entries())
    result = reopened.add_files([moved_to / "renamed.txt"])
    assert not result.added and not result.moved


def test_two_copies_of_one_text_in_a_folder_are_one_entry_not_a_move(tmp_path):
    """The second copy re-pointed the entry just added (its title from the first file's name, its path the
    second's) and the add reported it as "moved"."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    text = "so this is the whole conversation we had about gardens and soil " * 40
    (folder / "a-garden-talk.txt").write_text(text, encoding="utf-8")
    (folder / "b-garden-talk-copy.txt").write_text(text, encoding="utf-8")
    catalog = lib.Catalog.open(tmp_path / lib.CATALOG_FILE)
    result = catalog.add_files([folder])
    assert len(result.added) == 1 and not result.moved and len(result.unchanged) == 1
    (entry,) = catalog.entries()
    assert Path(entry.path).name == "a-garden-talk.txt" and entry.title == "A Garden Talk"


def test_remove_keeps_the_annotations_file(tmp_path):
    folder = _copy_fixtures(tmp_path)
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    kept = annotations / "rocket.yaml"
    kept.write_text("annotations: []\n", encoding="utf-8")
    catalog = lib.Catalog.open(tmp_path / lib.CATALOG_FILE)
    catalog.add_files([folder])
    rocket = catalog.by_path(folder / "rocket-episode.txt")
    assert rocket is not None
    assert catalog.remove([rocket.sha256]) == [rocket]
    assert len(lib.Catalog.open(tmp_path / lib.CATALOG_FILE)) == 2 and kept.exists()


def test_unreadable_files_are_reported_not_fatal(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    catalog = lib.Catalog.open(tmp_path / lib.CATALOG_FILE)
    result = catalog.add_files([tmp_path / "empty.txt", tmp_path / "absent.txt"])
    assert not result.added and len(result.failed) == 2


def test_a_corrupt_catalog_starts_empty_and_is_kept_aside(tmp_path):
    path = tmp_path / lib.CATALOG_FILE
    path.write_text("{not json", encoding="utf-8")
    assert len(lib.Catalog.open(path)) == 0
    assert path.with_suffix(".json.bad").exists()


def test_first_start_adds_the_bundled_transcript_once(tmp_path):
    from desktop_app.paths import default_transcript

    catalog = lib.open_library_catalog(tmp_path, default_transcript())
    assert [Path(e.path).name for e in catalog.entries()] == [default_transcript().name]
    catalog.remove([catalog.entries()[0].sha256])
    assert len(lib.open_library_catalog(tmp_path, default_transcript())) == 0


def test_a_folder_gives_one_file_per_episode_in_every_format_the_app_reads(tmp_path):
    names = [
        "whisper-ep.txt",
        "whisper-ep.srt",
        "whisper-ep.vtt",
        "whisper-ep.tsv",
        "whisper-ep.json",
        "Talk [AbCdEfGhIjk].en.vtt",
        "Talk [AbCdEfGhIjk].info.json",
        "Talk [AbCdEfGhIjk].description",
        "Talk [AbCdEfGhIjk].de.vtt",
        "notes.md",
        "show.chapters.json",
        "chapters.json",
        "show.chapters.vtt",
        "chapters.vtt",
        "cover.jpg",
        ".hidden.txt",
        "otter.docx",
    ]
    assert lib.one_per_episode(names) == [
        "Talk [AbCdEfGhIjk].de.vtt",
        "Talk [AbCdEfGhIjk].en.vtt",
        "notes.md",
        "whisper-ep.vtt",
    ]
    (tmp_path / "season").mkdir()
    for name in names:
        (tmp_path / "season" / name).write_text("x", encoding="utf-8")
    assert [p.name for p in lib.files_in(tmp_path)] == lib.one_per_episode(names)


def test_a_text_with_a_chapter_list_is_as_long_as_the_list_says(tmp_path):
    words = " ".join(f"word{i}" for i in range(150 * 40))  # forty minutes at 150 words a minute
    path = tmp_path / "talk.txt"
    path.write_text("0:00 Intro\n10:00 Middle\n20:00 More\n30:00 End\n\n" + words, encoding="utf-8")
    catalog = lib.Catalog.open(tmp_path / "data" / lib.CATALOG_FILE)
    catalog.add_files([path])
    (entry,) = catalog.entries()
    assert entry.duration == 40 * 60
