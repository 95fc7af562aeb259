"""The refined outline's title columns: section embeddings, the two semantic columns, and the refined ranker."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.outline import chapters as outline
from desktop_app.outline import title_model
from desktop_app.outline.title_candidates import FEATURES
from desktop_app.outline.title_semantic import (
    SEMANTIC_FEATURES,
    TitleSemantics,
    section_vectors,
    semantic_columns,
)


def _unit(*v: float) -> np.ndarray:
    a = np.array(v, dtype=np.float64)
    return a / np.linalg.norm(a)


def test_a_section_is_the_mean_of_the_units_starting_in_it() -> None:
    emb = np.array([_unit(1, 0), _unit(1, 0), _unit(0, 1)])
    vectors = section_vectors([0, 10, 20], emb, [(0, 20), (20, 30), (25, 30)])
    assert np.allclose(vectors[0], [1, 0]) and np.allclose(vectors[1], [0, 1])
    assert np.allclose(vectors[2], [0, 1])  # no unit starts inside: the unit it starts in


def test_the_columns_say_how_much_nearer_a_phrase_is_to_its_own_section() -> None:
    sections = np.array([_unit(1, 0), _unit(0, 1), _unit(0, 1)])
    phrases = np.array([_unit(1, 0), _unit(1, 1)])
    cols = semantic_columns(phrases, sections, own=0)
    assert cols.shape == (2, len(SEMANTIC_FEATURES))
    assert cols[0].tolist() == pytest.approx([1.0, 1.0])  # its own topic, nobody else's
    assert cols[1].tolist() == pytest.approx([0.7071068, 0.0])  # as near to every section


def test_every_row_gains_the_columns_and_each_phrase_is_encoded_once() -> None:
    asked: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        asked.append(texts)
        return np.array([_unit(1, 0) if "garden" in t else _unit(0, 1) for t in texts])

    view = TitleSemantics([0, 5], np.array([_unit(1, 0), _unit(0, 1)]), embed)
    table = [[(("garden",), [0.5]), (("roses",), [0.2])], [(("garden",), [0.1])]]
    out = view.extend(table, [(0, 5), (5, 9)])
    assert asked == [["garden", "roses"]]
    assert [key for key, _f in out[0]] == [("garden",), ("roses",)]
    assert out[0][0][1] == pytest.approx([0.5, 1.0, 1.0])
    assert out[1][0][1] == pytest.approx([0.1, 0.0, -1.0])  # "garden" belongs to the other section


def test_the_refined_ranker_reads_the_columns_and_needs_them() -> None:
    model = title_model.get_title_model(refined=True)
    assert model is not None and model.semantic
    assert len(model.mean) == len(FEATURES) + len(SEMANTIC_FEATURES)
    assert not title_model.get_title_model().semantic
    words = "we grew roses in the garden and the garden grew tomatoes".split()
    with pytest.raises(ValueError):
        title_model.learned_titles(words, {}, [(0, len(words))], model)


def test_the_refined_outline_titles_with_the_refined_ranker(seed_text: str, monkeypatch) -> None:
    from desktop_app.outline import titles

    seen: list[object] = []
    label = titles.label_sections

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs.get("semantic"))
        return label(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outline.outline_titles, "label_sections", spy)
    text = " ".join(seed_text.split()[:9000])
    starts = [m.start() for m in outline._WORD_RE.finditer(text)][::18]
    first = outline.build_outline(text, starts)
    refined = outline.build_outline(text, starts, contextual=True)
    assert seen[0] is None and isinstance(seen[1], TitleSemantics)
    assert len(refined) >= 3 and all(s.title for s in refined)
    assert len(first) >= 3
