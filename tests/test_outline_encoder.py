"""The outline's contextual encoder (desktop_app.outline.minilm): the tokenizer against the model's own, the
numpy transformer against the reference implementation, and the outline stage that reads it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from desktop_app.library import derived
from desktop_app.outline import chapters, minilm
from desktop_app.paths import resource_path
from desktop_app.readability import segmentation

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"
VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "un",
    "##aff",
    "##able",
    "cafe",
    ".",
    ",",
    "'",
    "s",
    "東",
    "京",
    "run",
]


def _tokenizer() -> minilm.WordPieceTokenizer:
    return minilm.WordPieceTokenizer(VOCAB)


def test_wordpiece_splits_by_longest_match_with_continuations() -> None:
    tok = _tokenizer()
    assert tok.encode("unaffable") == [2, 4, 5, 6, 3]


def test_basic_tokenizer_lowercases_strips_accents_and_splits_punctuation() -> None:
    tok = _tokenizer()
    assert tok.encode("Café, RUN's.") == [2, 7, 9, 14, 10, 11, 8, 3]


def test_unknown_words_and_overlong_words_are_one_unk() -> None:
    tok = _tokenizer()
    assert tok.encode("unzzz run") == [2, 1, 14, 3]
    assert tok.encode("un" * 60) == [2, 1, 3]  # 120 characters: longer than a word may be


def test_cjk_characters_are_words_of_their_own_and_controls_are_dropped() -> None:
    tok = _tokenizer()
    assert tok.encode("東京\u200brun\x00") == [2, 12, 13, 14, 3]


def test_long_texts_are_cut_to_the_model_length() -> None:
    ids = _tokenizer().encode("run " * 400)
    assert len(ids) == minilm.MAX_TOKENS
    assert ids[0] == 2 and ids[-1] == 3


@pytest.fixture(scope="module")
def encoder() -> minilm.MiniLMEncoder:
    loaded = minilm.get_encoder()
    assert loaded is not None, "resources/models/outline_minilm.npz is missing"
    return loaded


def test_the_bundled_tokenizer_matches_the_models_own_ids(encoder: minilm.MiniLMEncoder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    for text, ids in zip(reference["texts"], reference["ids"], strict=True):
        assert encoder.tokenizer.encode(text) == ids


def test_embeddings_match_the_float32_reference_implementation(encoder: minilm.MiniLMEncoder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = encoder.embed(reference["texts"])
    theirs = np.array(reference["embeddings"], dtype=np.float32)
    assert ours.shape == (3, minilm.DIMS)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() > 0.998  # int8 weights: 0.9987 or more on 300 corpus units


def test_batches_of_mixed_lengths_give_each_text_its_own_embedding(encoder: minilm.MiniLMEncoder) -> None:
    texts = ["We talked about jiu-jitsu.", "The markets fell. " * 30, "Open source models like Llama."]
    together = encoder.embed(texts)
    alone = np.vstack([encoder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_similar_sentences_are_closer_than_unrelated_ones(encoder: minilm.MiniLMEncoder) -> None:
    e = encoder.embed(
        [
            "We trained for a jiu-jitsu competition all year.",
            "He has been preparing for a grappling tournament.",
            "The central bank raised interest rates again.",
        ]
    )
    assert float(e[0] @ e[1]) > float(e[0] @ e[2]) + 0.2


def test_contextual_columns_replace_the_word_vector_columns() -> None:
    rng = np.random.default_rng(5)
    n = 120
    blocks = [chapters._centre_normalise(rng.normal(size=(n, 8))) for _ in range(2)]
    contextual = chapters._centre_normalise(rng.normal(size=(n, 16)))
    unit_len = np.full(n, 30.0)
    cues, onsets = np.zeros(n), np.zeros(n)
    plain = chapters._boundary_features(blocks, unit_len, cues, onsets)
    read = chapters._boundary_features(blocks, unit_len, cues, onsets, None, contextual)
    assert np.array_equal(plain[:, :6], read[:, :6])
    assert np.array_equal(read[:, 6:12], np.stack(chapters.novelty_columns(contextual, unit_len), axis=1))
    assert not np.allclose(plain[:, 6:12], read[:, 6:12])
    assert read.shape[1] == len(chapters.CONTEXTUAL_COEF) == len(chapters.BOUNDARY_COEF)


def _damaged_encoders(tmp_path: Path) -> dict[str, Path]:
    real = resource_path(*minilm.ENCODER_FILE).read_bytes()
    files = {"truncated": real[: len(real) // 3], "empty": b"", "garbage": b"not a zip file at all" * 50}
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.npz"
        paths[name].write_bytes(data)
    with np.load(resource_path(*minilm.ENCODER_FILE)) as data:
        kept = {k: data[k] for k in data.files if k != "3.query.weight"}
    paths["incomplete"] = tmp_path / "incomplete.npz"
    np.savez(paths["incomplete"], **kept)  # type: ignore[arg-type]
    return paths


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "incomplete"])
def test_a_damaged_encoder_file_leaves_the_first_outline_cached_as_such(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_text: str
) -> None:
    path = _damaged_encoders(tmp_path)[damage]
    monkeypatch.setattr(minilm, "resource_path", lambda *_parts: path)
    monkeypatch.setattr(minilm, "_loaded", None)
    monkeypatch.setattr(minilm, "_load_failed", False)
    assert minilm.get_encoder() is None
    text = " ".join(seed_text.split()[:3000])
    readable = segmentation.segment(text)
    sha = "0" * 64
    sections, refined = derived.outline_stage(text, sha, readable, 1.0, [], True, tmp_path / "cache")
    assert not refined
    assert derived.cached_sections(tmp_path / "cache", sha, text, 1.0, refined=True) is None
    assert derived.cached_sections(tmp_path / "cache", sha, text, 1.0, refined=False) == sections
