"""Seeded fuzzing in CI size (issue 16): a few hundred mutated annotation files, each either loaded or
refused with an AnnotationFileError, never another exception; what loads survives a save, a reload, a merge,
anchoring, the outline records and both exports. The big run is ``benchmarks/fuzz_inputs.py``."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from desktop_app import export
from desktop_app.annotations import store
from desktop_app.annotations.model import anchor_annotations
from desktop_app.outline import edits as outline_edits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from fuzz_inputs import make_base, mutate


@pytest.mark.parametrize("batch", range(4))
def test_mutated_annotation_files_load_or_are_refused(tmp_path: Path, seed_text: str, batch: int) -> None:
    text = seed_text[:40_000]
    base = make_base(text)
    rng = random.Random(1600 + batch)
    outcomes = {"loaded": 0, "refused": 0}
    for number in range(80):
        path = tmp_path / f"{number}.yaml"
        path.write_bytes(mutate(base, rng).encode("utf-8", "surrogatepass"))
        try:
            content = store.load(path)
        except store.AnnotationFileError as error:
            assert error.message and error.path == path
            outcomes["refused"] += 1
            continue
        outcomes["loaded"] += 1
        store.save(tmp_path / "copy.yaml", content)
        again = store.load(tmp_path / "copy.yaml")
        assert again.annotations == content.annotations and again.outline == content.outline
        store.merge(again, content, content)
        anchored = anchor_annotations(text, content.annotations)
        sections = outline_edits.from_records(content.outline, text) if content.outline else None
        export.to_markdown("Fuzz", text, anchored, sections=sections, colors=content.colors)
        export.to_web_annotation_json("Fuzz", text, anchored, colors=content.colors)
    assert outcomes["loaded"] and outcomes["refused"]


def test_a_few_mutated_files_through_the_cli_exit_0_or_2(tmp_path: Path, seed_text: str) -> None:
    from fuzz_inputs import run_file

    text_path = tmp_path / "fuzz.txt"
    text_path.write_text(seed_text[:20_000], encoding="utf-8")
    base = make_base(seed_text[:20_000])
    rng = random.Random(16)
    for _ in range(12):
        outcome, _seconds = run_file(text_path, tmp_path / "data", mutate(base, rng))
        assert not outcome.startswith("crash"), outcome
