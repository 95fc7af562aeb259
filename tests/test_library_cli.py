"""Headless library commands, and the single-file commands reading the app's caches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop_app.app import main
from desktop_app.outline import chapters
from desktop_app.readability import segmentation
from desktop_app.transcript import load_transcript

DATA = Path(__file__).parent / "data" / "library"


def run_json(capsys, *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_library_add_list_search(capsys, tmp_path):
    folder = tmp_path / "episodes"
    shutil.copytree(DATA, folder)
    data = ["--data-dir", str(tmp_path / "d")]
    added = run_json(capsys, "library", "add", str(folder), "--json", *data)
    assert len(added["added"]) == 3
    documents = run_json(capsys, "library", "list", "--json", *data)["documents"]
    assert len(documents) == 4  # the bundled transcript is there from the first start
    payload = run_json(capsys, "library", "search", "patience", "--json", *data)
    assert payload["total"] >= 3
    for hit in payload["hits"]:
        assert set(hit) == {"document", "title", "start", "end", "snippet", "section", "speaker"}
        path = next(d["path"] for d in documents if d["sha256"] == hit["document"])
        assert load_transcript(path).text[hit["start"] : hit["end"]].lower() == "patience"
        assert hit["speaker"] in ("Host", "Guest")  # caption text: the inferred speakers, as the reader shows
    rocket = str(folder / "rocket-episode.txt")
    assert main(["library", "remove", rocket, *data]) == 0
    payload = run_json(capsys, "library", "search", '"open source"', "--json", *data)
    assert all("rocket" not in h["title"].lower() for h in payload["hits"])
    assert main(["library", "search", "(", *data]) in (0, 2)


def test_library_add_of_a_missing_path_is_bad_input(capsys, tmp_path):
    assert main(["library", "add", str(tmp_path / "absent"), "--no-index", "--data-dir", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_search_on_a_file_seen_before_does_not_segment_again(capsys, tmp_path, monkeypatch):
    path = DATA / "garden-episode.txt"
    data = ["--data-dir", str(tmp_path / "d")]
    first = run_json(capsys, "search", str(path), "patience", "--json", *data)

    def fail(*_args, **_kwargs):
        raise AssertionError("segmented again")

    monkeypatch.setattr(segmentation, "segment", fail)
    monkeypatch.setattr(chapters, "outline_of", fail)
    assert run_json(capsys, "search", str(path), "patience", "--json", *data) == first
    assert run_json(capsys, "paragraphs", str(path), "--json", *data)["paragraphs"]
    assert run_json(capsys, "outline", str(path), "--json", *data)["sections"]


def test_the_refined_outline_is_computed_once_then_read_by_every_command(capsys, tmp_path, monkeypatch):
    path = DATA / "garden-episode.txt"
    data = ["--data-dir", str(tmp_path / "d")]
    refined = run_json(capsys, "outline", str(path), "--json", "--refined", *data)
    first = run_json(capsys, "outline", str(path), "--json", *data)  # the app's default, cached apart
    monkeypatch.setattr(chapters, "outline_of", lambda *_a, **_k: pytest.fail("outlined again"))
    assert run_json(capsys, "outline", str(path), "--json", "--refined", *data) == refined
    assert run_json(capsys, "outline", str(path), "--json", *data) == first
    hits = run_json(capsys, "search", str(path), "patience", "--json", *data)["hits"]
    titles = {s["title"] for s in refined["sections"]}
    assert hits and all(hit["section"] in titles for hit in hits)


def test_paragraphs_computes_once_per_call(capsys, tmp_path, monkeypatch):
    calls = []
    original = segmentation.segment

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(segmentation, "segment", counting)
    run_json(
        capsys, "search", str(DATA / "rocket-episode.txt"), "rocket", "--json", "--data-dir", str(tmp_path)
    )
    assert len(calls) == 1


@pytest.mark.parametrize("command", ["paragraphs", "outline"])
def test_single_file_commands_accept_a_data_dir(capsys, tmp_path, command):
    assert main([command, str(DATA / "rocket-episode.txt"), "--json", "--data-dir", str(tmp_path)]) == 0
    assert list((tmp_path / "cache").rglob("*.json"))


def test_library_export_writes_what_export_all_writes(capsys, tmp_path):
    from desktop_app.annotations import store
    from desktop_app.annotations.model import Annotation

    folder = tmp_path / "episodes"
    shutil.copytree(DATA, folder)
    data = ["--data-dir", str(tmp_path / "d")]
    run_json(capsys, "library", "add", str(folder), "--no-index", "--json", *data)
    garden = load_transcript(folder / "garden-episode.txt")
    notes = tmp_path / "d" / "data" / "annotations"
    path, _ = store.find_annotation_file(notes, garden.sha256, garden.source, garden.title)
    at = garden.text.index("marigolds")
    highlight = Annotation.create(garden.text, at, at + len("marigolds"), note="plant them early")
    ref = store.DocumentRef(garden.title, garden.sha256, garden.source)
    store.save(path, store.AnnotationFile(ref, [highlight]))
    out = tmp_path / "vault"
    out.mkdir()
    payload = run_json(capsys, "library", "export", str(out), "--json", *data)
    assert len(payload["written"]) == 1 and not payload["failed"]
    written = Path(payload["written"][0]).read_text(encoding="utf-8")
    assert written.startswith("---\n") and "plant them early" in written and "arigolds" in written
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert main(["library", "export", str(blocked), *data]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
