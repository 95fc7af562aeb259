"""The command line applies the user's speaker corrections: ``paragraphs --json``, ``search``, ``export``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from desktop_app.annotations import store
from desktop_app.annotations.model import Annotation
from desktop_app.app import main
from desktop_app.library.derived import readable_of
from desktop_app.paths import app_dirs
from desktop_app.speakers import edits
from desktop_app.transcript import load_transcript

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

HOST, GUEST = "Sarah Chen", "Marcus Webb"


def interview(path: Path) -> Path:
    lines = []
    for number in range(6):
        lines += [f"{HOST}: What did the ocean teach you, part {number}?", ""]
        lines += [f"{GUEST}: It taught me patience. The weather decides and you listen or go home.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def store_corrections(path: Path, data_dir: Path) -> tuple[str, int]:
    """Rename the guest, give paragraph 3 to the host, split paragraph 5 at "The weather"; and a highlight."""
    transcript = load_transcript(str(path))
    readable = readable_of(transcript, None, speakers=True)
    text = transcript.text
    corrections = edits.rename(edits.SpeakerEdits(), GUEST, "Marcus", readable.speakers)
    corrections = edits.assign(corrections, text, readable, readable.paragraphs[3].start, HOST)
    cut = text.index("The weather", readable.paragraphs[5].start)
    corrections = edits.split_turn(corrections, text, readable, cut, "Producer")
    folder = app_dirs(str(data_dir)).annotations
    folder.mkdir(parents=True, exist_ok=True)
    file, _moved = store.find_annotation_file(folder, transcript.sha256, transcript.source, transcript.title)
    content = store.AnnotationFile(document=store.DocumentRef(transcript.title, transcript.sha256, str(path)))
    content.speakers = edits.edits_to_record(corrections)
    content.annotations.append(Annotation.create(text, cut, cut + 11, color="yellow"))
    store.save(file, content)
    return text, cut


def test_paragraphs_json_has_the_corrected_speakers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path, data = interview(tmp_path / "interview.txt"), tmp_path / "data"
    assert main(["paragraphs", str(path), "--json", "--data-dir", str(data)]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["speakers"] == [HOST, GUEST]
    text, cut = store_corrections(path, data)

    assert main(["paragraphs", str(path), "--json", "--data-dir", str(data)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["speakers"] == [HOST, "Marcus", "Producer"]
    speakers = [p["speaker"] for p in payload["paragraphs"]]
    assert len(speakers) == len(before["paragraphs"]) + 1
    assert speakers[:8] == [HOST, "Marcus", HOST, HOST, HOST, "Marcus", "Producer", HOST]
    assert payload["paragraphs"][6]["start"] == cut

    assert main(["paragraphs", str(path), "--data-dir", str(data)]) == 0
    assert "Producer: The weather decides" in capsys.readouterr().out

    assert main(["export", str(path), "--format", "markdown", "--data-dir", str(data)]) == 0
    assert "**Producer:** The weather" in capsys.readouterr().out
    assert main(["export", str(path), "--format", "json", "--data-dir", str(data)]) == 0
    assert '"speaker": "Producer"' in capsys.readouterr().out

    assert main(["search", str(path), "speaker:Producer weather", "--json", "--data-dir", str(data)]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all(h["speaker"] == "Producer" for h in hits) and len(hits) == 1


def test_a_malformed_entry_is_a_warning_not_a_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path, data = interview(tmp_path / "interview.txt"), tmp_path / "data"
    store_corrections(path, data)
    file = next(app_dirs(str(data)).annotations.glob("*.yaml"))
    file.write_text(file.read_text(encoding="utf-8").replace("split: true", "split: maybe"), encoding="utf-8")
    assert main(["paragraphs", str(path), "--json", "--data-dir", str(data)]) == 0
    out, err = capsys.readouterr()
    assert "speakers.turns[1]" in err and "split" in err
    assert json.loads(out)["speakers"] == [HOST, "Marcus"]  # the rest still applies
