"""Tests for the readability tagger: its inputs, the numpy CNN and its use in segmentation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.readability import network as rn
from desktop_app.readability import segmentation as rd


def random_net(
    rng: np.random.Generator, d_in: int, c: int, dilations: tuple[int, ...], vocab: list[str]
) -> dict[str, np.ndarray]:
    net = {
        "vocab": np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        "w_dense": rng.normal(size=(d_in, c)).astype(np.float32),
        "emb_proj": rng.normal(size=(len(vocab) + 1, c)).astype(np.float32),
        "dilations": np.asarray(dilations, dtype=np.int32),
        "w_out": rng.normal(size=(c, 4)).astype(np.float32),
        "b_out": rng.normal(size=4).astype(np.float32),
    }
    for k, _ in enumerate(dilations):
        net[f"conv{k}_w"] = (rng.normal(size=(5, c, c)) / c).astype(np.float32)
        net[f"conv{k}_b"] = rng.normal(size=c).astype(np.float32)
    return net


def reference_cnn(net: dict[str, np.ndarray], ids: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """The same network, one position and one tap at a time (zero padding at the edges)."""
    n = len(ids)
    h = dense.astype(np.float64) @ net["w_dense"] + net["emb_proj"][ids]
    for k, d in enumerate(int(x) for x in net["dilations"]):
        r = np.maximum(h, 0.0)
        y = np.tile(net[f"conv{k}_b"].astype(np.float64), (n, 1))
        for t in range(n):
            for j in range(5):
                src = t + (j - 2) * d
                if 0 <= src < n:
                    y[t] += r[src] @ net[f"conv{k}_w"][j]
        h = h + y
    return np.maximum(h, 0.0) @ net["w_out"] + net["b_out"]


def features(words: list[str]) -> tuple[list[str], list[str]]:
    return [rd.normalize(w) for w in words], [rd.shape(w) for w in words]


def test_tagger_inputs_shape_one_hot_and_repeats() -> None:
    words = ["so", "so", "I", "think", "Meta", "is", "42", "so"]
    norm, shapes = features(words)
    ids, dense = rn.tagger_inputs(words, norm, shapes, {"so": 1, "think": 2}, None)
    assert ids.tolist() == [1, 1, 0, 2, 0, 0, 0, 1]
    assert dense.shape == (8, 128 + 7) and dense.dtype == np.float32
    one_hot = dense[:, 128:134]
    assert one_hot.sum(axis=1).tolist() == [1.0] * 8
    assert [rn._SHAPES[k] for k in one_hot.argmax(axis=1)] == shapes
    assert dense[:, -1].tolist() == [0, 1, 0, 0, 0, 0, 0, 0]
    assert not dense[:, :128].any()  # no vectors given


def test_tagger_inputs_use_the_word_vectors() -> None:
    vectors = rn.tagger_vectors()
    assert vectors is not None, "resources/models/outline_vectors.npz ships with the app"
    words = ["the", "house", "the"]
    norm, shapes = features(words)
    _, dense = rn.tagger_inputs(words, norm, shapes, {}, vectors)
    assert np.allclose(dense[0, :128], vectors.vector("the"))
    assert np.allclose(dense[0, :128], dense[2, :128])
    assert not np.allclose(dense[0, :128], dense[1, :128])


@pytest.mark.parametrize("n", [1, 3, 40])
def test_numpy_cnn_matches_a_reference_implementation(n: int) -> None:
    rng = np.random.default_rng(n)
    net = random_net(rng, 9, 6, (1, 2, 4), ["a", "b", "c"])
    ids = rng.integers(0, 4, size=n)
    dense = rng.normal(size=(n, 9)).astype(np.float32)
    got = rn._cnn(net, ids, dense)
    assert got.shape == (n, 4)
    assert got == pytest.approx(reference_cnn(net, ids, dense), rel=1e-4, abs=1e-4)


def test_tagger_averages_its_networks() -> None:
    rng = np.random.default_rng(7)
    nets = [random_net(rng, 135, 8, (1, 2), ["so", "and"]) for _ in range(2)]
    words = "so and then I said so what".split()
    norm, shapes = features(words)
    both = rn.Tagger.from_arrays(nets).logits(words, norm, shapes)
    one = [rn.Tagger.from_arrays([net]).logits(words, norm, shapes) for net in nets]
    assert both == pytest.approx((one[0] + one[1]) / 2, rel=1e-5, abs=1e-5)


def test_float16_weights_load_as_float32(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    net = random_net(rng, 135, 8, (1,), ["so"])
    arrays = {f"n0/{k}": (v.astype(np.float16) if v.dtype == np.float32 else v) for k, v in net.items()}
    path = tmp_path / "tagger.npz"
    np.savez_compressed(path, **arrays)
    tagger = rn.Tagger.load(path)
    assert tagger.indexes == [{"so": 1}]
    assert tagger.nets[0]["w_dense"].dtype == np.float32
    assert tagger.nets[0]["w_dense"] == pytest.approx(net["w_dense"], abs=1e-2)


def test_shipped_tagger_is_loaded_and_gives_finite_logits(seed_text: str) -> None:
    model = rd.default_model()
    assert model.tagger is not None
    assert model.param("tagger_start", 0.0) > 0
    words = seed_text.split()[:500]
    norm, shapes = features(words)
    z = model.tagger.logits(words, norm, shapes, model.start_scores(norm, shapes))
    assert z.shape == (500, 4) and np.isfinite(z).all()
    # starts are rare: most words get a low start probability, some a high one
    p = 1 / (1 + np.exp(-z[:, 0]))
    assert np.median(p) < 0.1 and p.max() > 0.5


def test_mix_is_linear_unless_weight_is_zero() -> None:
    assert rn.mix_logits([1.0, 2.0], np.array([3.0, 6.0]), 0.0) == [1.0, 2.0]
    assert rn.mix_logits([1.0, 2.0], np.array([3.0, 6.0]), 0.5) == pytest.approx([2.0, 4.0])


def test_segmentation_without_tagger_still_works(seed_text: str) -> None:
    base = rd.default_model()
    plain = rd.Model(base.data)
    text = " ".join(seed_text.split()[:2000])
    with_tagger = rd.Segmenter(base).segment(text)
    without = rd.Segmenter(plain).segment(text)
    for readable in (with_tagger, without):
        n = sum(len(p.sentences) for p in readable.paragraphs)
        assert 2000 / 40 < n < 2000 / 4
    starts = {s.start for p in with_tagger.paragraphs for s in p.sentences}
    assert starts != {s.start for p in without.paragraphs for s in p.sentences}


def test_stacked_net_reads_the_linear_logits_and_vocabularies_stay_per_net() -> None:
    rng = np.random.default_rng(11)
    stacked = random_net(rng, 136, 8, (1, 2), ["so"])
    stacked["stacked"] = np.asarray(1, dtype=np.int32)
    plain = random_net(rng, 135, 8, (1,), ["and", "so"])
    tagger = rn.Tagger.from_arrays([stacked, plain])
    assert tagger.stacked and tagger.indexes == [{"so": 1}, {"and": 1, "so": 2}]
    words = "so and so we went".split()
    norm, shapes = features(words)
    with pytest.raises(ValueError):
        tagger.logits(words, norm, shapes)
    linear = [3.0, -2.0, 0.5, -8.0, 1.0]
    ids0, dense = rn.tagger_inputs(words, norm, shapes, {"so": 1}, rn.tagger_vectors())
    ids1, _ = rn.tagger_inputs(words, norm, shapes, {"and": 1, "so": 2}, rn.tagger_vectors())
    expected = (
        rn._cnn(stacked, ids0, np.hstack([dense, rn.stack_input(linear)])) + rn._cnn(plain, ids1, dense)
    ) / 2
    assert tagger.logits(words, norm, shapes, linear) == pytest.approx(expected, rel=1e-5, abs=1e-5)
    other = tagger.logits(words, norm, shapes, [0.0] * 5)
    assert not np.allclose(other, expected)


def test_training_labels_and_masks() -> None:
    from types import SimpleNamespace

    from desktop_app.training import train_readability_tagger as tt

    ep = SimpleNamespace(
        words="so what do you think I think it works".split(),
        starts=[0, 5],
        marks="?.",
        commas={6},
        turns={0, 5},
        truth={"sentence_truth": "ok"},
    )
    y, m = tt.labels(ep)  # type: ignore[arg-type]
    assert np.flatnonzero(y[:, 0]).tolist() == [0, 5]
    assert np.flatnonzero(y[:, 1]).tolist() == [4]  # "think" ends the question
    assert np.flatnonzero(y[:, 2]).tolist() == [7]  # a comma after word 6
    assert np.flatnonzero(y[:, 3]).tolist() == [0, 5]
    assert (m[0] == 0).all() and (m[1:] == 1).all()
    vague = SimpleNamespace(**{**vars(ep), "turns": set(), "truth": {"sentence_truth": "approximate"}})
    y, m = tt.labels(vague, approx_weight=0.25)  # type: ignore[arg-type]
    assert (m[1:, :2] == 0.25).all() and (m[1:, 2] == 1).all() and (m[:, 3] == 0).all()


def test_network_off_gives_the_linear_segmentation(seed_text: str) -> None:
    text = " ".join(seed_text.split()[:2000])
    quick = rd.segment(text, network=False)
    linear = rd.Segmenter(rd.Model(rd.default_model().data)).segment(text)
    assert quick == linear and not quick.outline_starts
    assert rd.segment(text) != quick


def test_numpy_and_the_network_load_only_when_needed() -> None:
    """A cached segmentation and the preview (linear models only) never import numpy: it costs start-up."""
    code = (
        "import sys\n"
        "from desktop_app.readability import segmentation as rd\n"
        "words = ('so I think that is right you know what I mean ' * 200).split()\n"
        "rd.segment(' '.join(words), network=False)\n"
        "assert 'numpy' not in sys.modules, 'numpy imported by the linear path'\n"
        "assert rd.default_model()._tagger is None\n"
        "rd.segment(' '.join(words))\n"
        "assert 'numpy' in sys.modules and rd.default_model()._tagger is not None\n"
    )
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_unreadable_network_file_leaves_the_linear_models(
    tmp_path: Path, content: bytes, seed_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    bad = tmp_path / "readability_tagger.npz"
    bad.write_bytes(content)
    data = rd.default_model().data
    model = rd.Model(data, tagger_path=bad)
    text = " ".join(seed_text.split()[:1000])
    with caplog.at_level("WARNING"):
        readable = rd.Segmenter(model).segment(text)
    assert model.tagger is None and "unreadable" in caplog.text
    assert readable == rd.Segmenter(rd.Model(data)).segment(text)
