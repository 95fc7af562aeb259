"""Every highlight of the library (no Qt): collecting, filtering, and the export of all episodes to a folder."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from desktop_app.annotations import store as annotation_store
from desktop_app.annotations.model import Annotation
from desktop_app.library.all_annotations import (
    AnnotationFilter,
    EpisodeRef,
    collect_library,
    facets_of,
    filter_highlights,
)
from desktop_app.library.export_all import (
    ExportFolderError,
    episode_markdown,
    export_library,
    obsidian_tag,
    safe_file_stem,
)
from desktop_app.transcript import load_transcript

BODY_ONE = (
    "so what do you think about open source i think it is the future of computing "
    "and we should all be working on it together because nobody can do it alone "
) * 12
BODY_TWO = "compute is going to be the currency of the future and energy too " * 20


def make_episode(
    folder: Path, name: str, header: str, body: str, highlights: list[tuple[str, str, str, list[str]]]
) -> EpisodeRef:
    """A transcript file and its annotations file (in ``folder / 'annotations'``)."""
    path = folder / name
    path.write_text(header + body, encoding="utf-8")
    transcript = load_transcript(path)
    text = transcript.text
    items = []
    for phrase, color, note, tags in highlights:
        start = text.index(phrase)
        items.append(Annotation.create(text, start, start + len(phrase), color=color, note=note, tags=tags))
    notes_dir = folder / "annotations"
    notes_dir.mkdir(exist_ok=True)
    content = annotation_store.AnnotationFile(
        document=annotation_store.DocumentRef(transcript.title, transcript.sha256, transcript.source),
        annotations=items,
    )
    annotation_store.save(
        annotation_store.annotations_path(notes_dir, transcript.title, transcript.sha256), content
    )
    return EpisodeRef(transcript.sha256, transcript.source, transcript.title, show="Lex Fridman Podcast")


@pytest.fixture
def library(tmp_path: Path) -> tuple[list[EpisodeRef], Path]:
    one = make_episode(
        tmp_path,
        "open-source.txt",
        "# Open source: the future? #416\n# Source: https://youtube.com/watch?v=5t1vTLU7s40\n\n",
        BODY_ONE,
        [
            ("i think it is the future of computing", "yellow", "Key claim.", ["open source", "ai"]),
            ("nobody can do it alone", "green", "", []),
        ],
    )
    two = make_episode(
        tmp_path,
        "Compute [dQw4w9WgXcQ].txt",
        "",
        BODY_TWO,
        [("compute is going to be the currency", "blue", "Money: compute", ["economics"])],
    )
    bare = EpisodeRef("0" * 64, str(tmp_path / "nothing.txt"), "No highlights")
    return [one, two, bare], tmp_path / "annotations"


def test_collects_every_highlight_of_every_episode(library: tuple[list[EpisodeRef], Path]) -> None:
    episodes, notes_dir = library
    seen: list[tuple[int, int]] = []
    result = collect_library(
        episodes, notes_dir, None, progress=lambda done, total: seen.append((done, total))
    )
    assert [e.episode.title for e in result.episodes] == [episodes[0].title, episodes[1].title]
    assert seen[-1] == (3, 3)
    assert not result.problems
    first = result.highlights[0]
    assert first.quote[0] == "I" and first.quote.startswith("I think it is the future of computing")
    assert first.place == "min 0" and first.placed
    assert first.link.startswith("https://www.youtube.com/watch?v=5t1vTLU7s40&t=")
    third = result.highlights[2]
    assert third.link.startswith("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=")
    assert third.meaning and third.tags == ("economics",)


def test_filter_by_colour_tag_episode_and_text(library: tuple[list[EpisodeRef], Path]) -> None:
    episodes, notes_dir = library
    items = collect_library(episodes, notes_dir, None).highlights
    assert len(filter_highlights(items, AnnotationFilter())) == 3
    assert [h.color for h in filter_highlights(items, AnnotationFilter(colors=frozenset({"green"})))] == [
        "green"
    ]
    assert len(filter_highlights(items, AnnotationFilter(tag="AI"))) == 1
    assert len(filter_highlights(items, AnnotationFilter(episode=episodes[1].sha256))) == 1
    assert len(filter_highlights(items, AnnotationFilter(text="money currency"))) == 1
    assert filter_highlights(items, AnnotationFilter(text="nowhere")) == []
    assert filter_highlights(items, AnnotationFilter(speaker="Nobody")) == []
    facets = facets_of(items)
    assert facets.tags == ("ai", "economics", "open source")
    assert [sha for sha, _title in facets.episodes] == [episodes[0].sha256, episodes[1].sha256]


def test_a_corrupt_file_and_a_missing_transcript_do_not_stop_the_others(
    library: tuple[list[EpisodeRef], Path],
) -> None:
    episodes, notes_dir = library
    broken = next(p for p in notes_dir.glob("*.yaml") if episodes[1].sha256[:12] in p.name)
    broken.write_text("format: transcript-reader-annotations\nannotations: [unclosed\n", encoding="utf-8")
    Path(episodes[0].path).unlink()
    episodes[0] = replace(episodes[0], source_url="https://youtube.com/watch?v=5t1vTLU7s40")  # the catalog's
    result = collect_library(episodes, notes_dir, None)
    assert len(result.problems) == 2
    assert any("could not be read" in p for p in result.problems)
    assert any("was not found" in p for p in result.problems)
    saved = result.episodes[0].highlights
    assert [h.quote for h in saved] == ["i think it is the future of computing", "nobody can do it alone"]
    assert not saved[0].placed and saved[0].link.startswith("https://www.youtube.com/watch?v=5t1vTLU7s40")


def test_export_writes_one_file_per_episode_with_front_matter(
    library: tuple[list[EpisodeRef], Path], tmp_path: Path
) -> None:
    episodes, notes_dir = library
    collected = collect_library(episodes, notes_dir, None)
    out = tmp_path / "vault" / "Podcasts"
    report = export_library(out, collected.episodes)
    assert len(report.written) == 2 and not report.failed
    names = sorted(p.name for p in out.iterdir())
    assert names == ["Compute.md", "Open source the future 416.md"]
    text = (out / "Open source the future 416.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "Open source: the future? #416"
    assert front["source"] == "https://youtube.com/watch?v=5t1vTLU7s40"
    assert front["show"] == "Lex Fridman Podcast"
    assert front["tags"] == ["transcript-highlights", "ai", "open-source"]
    assert front["highlights"] == 2
    assert ":** I think it is the future of computing" in text
    assert "[min 0](https://www.youtube.com/watch?v=5t1vTLU7s40&t=" in text
    assert "Key claim." in text


def test_export_never_replaces_an_unrelated_file(
    library: tuple[list[EpisodeRef], Path], tmp_path: Path
) -> None:
    episodes, notes_dir = library
    collected = collect_library(episodes, notes_dir, None)
    out = tmp_path / "vault"
    out.mkdir()
    mine = out / "Open source the future 416.md"
    mine.write_text("my own note\n", encoding="utf-8")
    first = export_library(out, collected.episodes)
    assert mine.read_text(encoding="utf-8") == "my own note\n"
    assert (out / "Open source the future 416 (2).md").exists()
    assert first.renamed == ("Open source the future 416 (2).md",)
    again = export_library(out, collected.episodes)  # the export's own files are updated in place
    assert sorted(p.name for p in again.written) == sorted(p.name for p in first.written)
    assert len(list(out.iterdir())) == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes everywhere")
def test_an_unwritable_folder_is_refused_with_a_clear_message(
    library: tuple[list[EpisodeRef], Path], tmp_path: Path
) -> None:
    episodes, notes_dir = library
    collected = collect_library(episodes, notes_dir, None)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ExportFolderError, match="permission"):
            export_library(locked, collected.episodes)
    finally:
        locked.chmod(0o700)


def test_titles_become_safe_unique_names_and_yaml_stays_valid(library: tuple[list[EpisodeRef], Path]) -> None:
    assert safe_file_stem('a/b\\c: "d"? *e* <f> |g| #1 [[h]]') == "a b c d e f g 1 h"
    assert safe_file_stem("..") == "Transcript"
    assert safe_file_stem("CON") == "CON transcript"
    assert obsidian_tag("open source") == "open-source" and obsidian_tag("#2024") == "tag-2024"
    episodes, notes_dir = library
    episode = collect_library(episodes, notes_dir, None).episodes[0]
    hostile = replace(episode, episode=replace(episode.episode, title="---\nkey: [1, 2]\n'quoted' \"x\": y"))
    front = yaml.safe_load(episode_markdown(hostile).split("---\n", 2)[1])
    assert front["title"] == "--- key: [1, 2] 'quoted' \"x\": y"


def test_a_folder_inside_a_file_is_refused_and_nothing_is_lost(
    library: tuple[list[EpisodeRef], Path], tmp_path: Path
) -> None:
    episodes, notes_dir = library
    collected = collect_library(episodes, notes_dir, None)
    blocker = tmp_path / "a-file.txt"
    blocker.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(ExportFolderError, match="could not be created"):
        export_library(blocker / "export", collected.episodes)
    with pytest.raises(ExportFolderError, match="is a file"):
        export_library(blocker, collected.episodes)
    assert blocker.read_text(encoding="utf-8") == "keep me\n"


def test_unchanged_episodes_are_reused_and_changed_ones_read_again(
    library: tuple[list[EpisodeRef], Path],
) -> None:
    episodes, notes_dir = library
    first = collect_library(episodes, notes_dir, None)
    again = collect_library(episodes, notes_dir, None, reuse=first.reusable)
    assert again.episodes[0] is first.episodes[0] and again.episodes[1] is first.episodes[1]
    changed = next(p for p in notes_dir.glob("*.yaml") if episodes[1].sha256[:12] in p.name)
    content = annotation_store.load(changed)
    content.annotations[0] = content.annotations[0].edited(note="A new note")
    annotation_store.save(changed, content)
    third = collect_library(episodes, notes_dir, None, reuse=again.reusable)
    assert third.episodes[0] is first.episodes[0]
    assert third.episodes[1].highlights[0].note == "A new note"


def test_two_episodes_with_one_title_get_two_files(
    library: tuple[list[EpisodeRef], Path], tmp_path: Path
) -> None:
    episodes, notes_dir = library
    collected = collect_library(episodes, notes_dir, None).episodes
    twins = [replace(e, episode=replace(e.episode, title="Same Title")) for e in collected]
    report = export_library(tmp_path / "twins", twins)
    assert sorted(p.name for p in report.written) == ["Same Title (2).md", "Same Title.md"]
    assert report.renamed == ()  # taken by this export's other episode, not by a file of the user's
    again = export_library(tmp_path / "twins", twins)
    assert sorted(p.name for p in again.written) == ["Same Title (2).md", "Same Title.md"]
    assert again.renamed == ()


def test_an_unreadable_transcript_keeps_its_highlights_as_saved(
    library: tuple[list[EpisodeRef], Path],
) -> None:
    episodes, notes_dir = library
    Path(episodes[1].path).write_bytes(b"\x00\x01 not a transcript \x00")
    result = collect_library(episodes, notes_dir, None)
    assert [e.problem for e in result.episodes][0] == ""
    assert "could not be read" in result.episodes[1].problem
    assert result.episodes[1].highlights[0].quote == "compute is going to be the currency"
