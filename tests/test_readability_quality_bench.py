"""The benchmark's measure of paragraph breaks inside one speaker's run (benchmarks/readability_quality.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from typing import TYPE_CHECKING

import readability_quality as rq

from desktop_app.readability import segmentation as rd

if TYPE_CHECKING:
    import pytest


def _readable(text: str, paragraphs: list[list[int]]) -> rd.Readable:
    """Paragraphs of sentences given by their first word's index."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    ends = [s - 1 for s in starts[1:]] + [len(text)]
    firsts = [w for p in paragraphs for w in p] + [len(starts)]
    nxt = dict(zip(firsts, firsts[1:], strict=False))
    out = []
    for p in paragraphs:
        sentences = tuple(rd.Sentence(starts[w], ends[nxt[w] - 1], ".") for w in p)
        out.append(rd.Paragraph(sentences[0].start, sentences[-1].end, sentences))
    return rd.Readable(paragraphs=tuple(out))


def test_break_figures_count_breaks_and_lone_sentences_inside_a_run() -> None:
    text = " ".join(f"w{i}" for i in range(40))
    word_starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    turns = [0, 20]  # one speaker for words 0-19, another from 20
    # breaks at 6 (inside the first run, a one-sentence paragraph 6-9), 10 (inside) and 21 (the turn, ±2)
    readable = _readable(text, [[0, 3], [6], [10, 15], [21, 30]])
    figures = rq.break_figures(word_starts, turns, readable)
    assert figures["nonturn"] == 2 / 3
    assert figures["short_false"] == 1  # [6]: both ends inside the run; [21, 30] has two sentences
    # a one-sentence paragraph ending at a turn is not counted
    readable = _readable(text, [[0, 3], [6, 12], [18], [21, 30]])
    assert rq.break_figures(word_starts, turns, readable)["short_false"] == 0
    assert rq.break_figures(word_starts, [0], readable) == {}  # no turn truth: no figures


def test_compare_counts_better_and_worse_episodes(capsys: pytest.CaptureFixture[str]) -> None:
    before = {
        "selection": {
            "a": {"turn_r": 0.8, "nonturn": 0.7, "speakers": 2},
            "b": {"turn_r": 0.8, "speakers": 2},
        }
    }
    after = {
        "selection": {
            "a": {"turn_r": 0.9, "nonturn": 0.6, "speakers": 2},
            "b": {"turn_r": 0.7, "speakers": 2},
        }
    }
    rq.compare(before, after)
    out = capsys.readouterr().out
    assert "better  1, worse  1" in out.split("turnR")[1].splitlines()[0]
    assert "better  1, worse  0" in out.split("nonTurn")[1].splitlines()[0]  # lower is better
