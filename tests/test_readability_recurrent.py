"""Tests for the recurrent sentence tagger: numpy against PyTorch, windows, loading and use in segmentation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.paths import resource_path
from desktop_app.readability import network as rr
from desktop_app.readability import segmentation as rd
from desktop_app.training.train_sentence_tagger import FIXTURE_WORDS

FIXTURE = Path(__file__).parent / "data" / "recurrent_tagger_fixture.npz"


def fixture_tagger() -> tuple[rr.RecurrentTagger, np.ndarray]:
    with np.load(FIXTURE, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    expected = arrays.pop("expected")
    return rr.RecurrentTagger(arrays), expected


def features(words: list[str]) -> tuple[list[str], list[str]]:
    return [rd.normalize(w) for w in words], [rd.shape(w) for w in words]


def test_numpy_inference_reproduces_pytorch() -> None:
    """The fixture holds a small random network and PyTorch's logits for the fixture words (written by
    ``train_sentence_tagger --fixture``)."""
    tagger, expected = fixture_tagger()
    words = list(FIXTURE_WORDS)
    norm, shapes = features(words)
    z = tagger.logits(words, norm, shapes)
    assert z.shape == (len(words), 4)
    assert z == pytest.approx(expected, abs=1e-4)


def test_windows_give_every_word_its_context() -> None:
    for n in (1, rr.WINDOW, rr.WINDOW + 1, 1000, 29_633):
        starts = rr.window_starts(n)
        owner = np.minimum(np.arange(n) // rr.STRIDE, len(starts) - 1)
        pos = np.arange(n) - starts[owner]
        width = min(n, rr.WINDOW)
        assert (pos >= 0).all() and (pos < width).all()
        before = np.minimum(np.arange(n), rr.MARGIN)
        after = np.minimum(n - 1 - np.arange(n), rr.MARGIN)
        assert (pos >= before).all()
        assert (width - 1 - pos >= after).all()


def test_long_text_matches_one_window_away_from_window_edges() -> None:
    """Cutting a long text into windows changes little: the logits of the words far from the windows' edges
    agree with those of one window spanning the whole text."""
    tagger, _ = fixture_tagger()
    words = list(FIXTURE_WORDS) * 20
    norm, shapes = features(words)
    chunked = tagger.logits(words, norm, shapes)
    ids, dense = rr.tagger_inputs(words, norm, shapes, tagger.index, rr.tagger_vectors())
    x = dense @ tagger.w["w_dense"] + tagger.w["emb"][ids] + tagger.w["suffix"][rr.suffix_ids(norm)]
    whole = tagger.forward((x + tagger.w["b_in"])[None])[0]
    assert chunked.shape == whole.shape
    assert np.median(np.abs(chunked - whole)) < 0.05


def test_logits_are_deterministic_and_empty_text_is_fine() -> None:
    tagger, _ = fixture_tagger()
    words = list(FIXTURE_WORDS) * 5
    norm, shapes = features(words)
    assert np.array_equal(tagger.logits(words, norm, shapes), tagger.logits(words, norm, shapes))
    assert tagger.logits([], [], []).shape == (0, 4)


def test_shipped_tagger_is_recurrent_with_its_settings() -> None:
    model = rd.Model.load(resource_path(*rd.MODEL_FILE), resource_path(*rd.TAGGER_FILE))
    tagger = model.tagger
    assert isinstance(tagger, rr.RecurrentTagger)
    assert {"tagger_start", "start_threshold", "turn_threshold"} <= set(tagger.params)


def test_load_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(ValueError):
        rr.RecurrentTagger.load(path)
