"""Invariants of the automatic outline (desktop_app.outline.chapters) on the bundled seed and small samples."""

from __future__ import annotations

import re
from bisect import bisect_left
from pathlib import Path
from typing import Any

import pytest

from desktop_app.outline import chapters as outline
from desktop_app.outline.chapters import (
    Section,
    build_outline,
    sections_from_cache,
    sections_to_cache,
    to_json,
)
from desktop_app.paths import default_transcript

_TOPICS = {
    "chess": "chess opening gambit bishop knight rook endgame grandmaster tournament pawn",
    "baking": "bread dough yeast oven flour crust sourdough starter bake loaf",
    "sailing": "boat sail wind harbor keel mast ocean crew anchor tide",
    "astronomy": "telescope galaxy star planet orbit nebula comet light year cosmos",
}


def crude_starts(text: str, every: int = 12) -> list[int]:
    """A sentence start every ``every`` words (stands in for the readability module)."""
    offs = [m.start() for m in re.finditer(r"\S+", text)]
    return offs[::every]


def topic_text(order: tuple[str, ...], words_each: int = 1500) -> str:
    """Deterministic synthetic interview: blocks of topic words mixed with filler."""
    filler = "so I think that you know it is really the case that we".split()
    out: list[str] = []
    for t_i, topic in enumerate(order):
        vocab = _TOPICS[topic].split()
        if t_i:
            out += "let me ask you about".split()
        for i in range(words_each):
            out.append(vocab[(i * 7 + t_i) % len(vocab)] if i % 3 == 0 else filler[i % len(filler)])
    return " ".join(out)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return default_transcript().read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_outline(seed_text: str) -> list[Section]:
    return build_outline(seed_text, crude_starts(seed_text))


def check_invariants(text: str, starts: list[int], sections: list[Section]) -> None:
    assert sections, "a non-empty text has at least one section"
    assert sections[0].start == 0
    assert sections[-1].end == len(text)
    allowed = set(starts) | {0}
    for a, b in zip(sections, sections[1:], strict=False):
        assert a.end == b.start, "no gaps or overlaps"
    for s in sections:
        assert s.start < s.end
        assert s.start in allowed, f"section starts at {s.start}, not a sentence start"
        assert 1 <= len(s.title.split()) <= 6, s.title
        assert 1 <= len(s.keywords) <= 6
        assert all(isinstance(k, str) and k for k in s.keywords)


def test_seed_invariants(seed_text: str, seed_outline: list[Section]) -> None:
    check_invariants(seed_text, crude_starts(seed_text), seed_outline)


def test_seed_section_count_follows_length_prior(seed_text: str, seed_outline: list[Section]) -> None:
    expected = outline.chapter_count(len(seed_text.split()))
    assert expected - 2 <= len(seed_outline) <= expected + 2


def test_chapter_count_follows_episode_length() -> None:
    # human outlines: 13-27 chapters for 1.5-3.5 hours (about 185 words a minute)
    counts = [outline.chapter_count(185 * 60 * h) for h in (1.5, 2.0, 2.5, 3.0, 3.5)]
    assert counts == sorted(counts)
    assert 11 <= counts[0] and counts[-1] <= 27
    assert outline.chapter_count(500) == 1
    assert outline.chapter_count(3000, 2.0) > outline.chapter_count(3000)


def check_titles(sections: list[Section]) -> None:
    """Titles as a person writes them: 1-5 words, no comma lists, no two alike."""
    titles = [s.title for s in sections]
    assert len({t.lower() for t in titles}) == len(titles), titles
    for t in titles:
        assert 1 <= len(t.split()) <= 5, t
        assert "," not in t, t
        assert t[0].isupper() or t[0].isdigit(), t


def test_seed_titles_are_specific(seed_outline: list[Section]) -> None:
    titles = [s.title for s in seed_outline]
    check_titles(seed_outline)
    generic = {"thing", "things", "people", "know", "think", "really", "going", "like", "um", "yeah"}
    for t in titles:
        assert not set(t.lower().replace(",", "").split()) & generic, t


def test_speaker_names_are_not_titles(seed_text: str) -> None:
    names = ["Mark Zuckerberg", "Lex Fridman"]
    sections = build_outline(seed_text, crude_starts(seed_text), exclude_names=names)
    banned = {"mark", "zuckerberg", "lex", "fridman"}
    for s in sections:
        assert not banned & set(s.title.lower().split()), s.title
        assert not any(banned & set(k.lower().split()) for k in s.keywords), s.keywords
    check_titles(sections)


def test_names_the_opening_introduces_are_not_titles(seed_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Captions without speaker labels: the host and guest the opening names are excluded like labels."""
    opening = "hello everyone I'm Ada Quist and I'll be hosting this session my guest today is Bo Lindqvist "
    assert outline.opening_names(opening + "and we talk for hours") == ["Ada Quist", "Bo Lindqvist"]
    seen: list[list[str]] = []
    real = outline.outline_titles.label_sections

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(list(kwargs["exclude_names"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(outline.outline_titles, "label_sections", spy)
    text = opening + seed_text
    build_outline(text, crude_starts(text), exclude_names=["Host"])
    assert seen == [["Host", *outline.opening_names(text)]] and "Ada Quist" in seen[0]


def test_a_short_first_section_after_a_greeting_is_the_introduction() -> None:
    greeting = "hello there the search podcast is here and today we talk about indexes".split()
    words = greeting + ["topic"] * 3000
    assert outline._greeting_opening(words, [0, 400, 1500, 2500])
    assert not outline._greeting_opening(words, [0, 900, 1500, 2500])  # long: the opening and a topic
    assert not outline._greeting_opening(words, [0, 400])  # one section after it: nothing to set apart
    cold_open = "the war started on a tuesday and nobody expected it".split() + ["topic"] * 3000
    assert not outline._greeting_opening(cold_open, [0, 400, 1500, 2500])


def test_an_introduction_with_sponsors_ends_at_the_handover() -> None:
    """Lex's "and now, dear friends, here's …" can come 1,000 words in when sponsors are read first."""
    ads = ["sponsor"] * 1000
    words = ads + "and now dear friends here's jane doe".split() + ["topic"] * 3000
    units = list(range(0, len(words), 15))
    end = outline._intro_end(words, units)
    assert end is not None and 1007 <= end < 1030
    plain = ads[:300] + "this is the podcast and here is my conversation with jane doe".split() + ["x"] * 3000
    found = outline._intro_end(plain, units)
    assert found is not None and 313 <= found < 330
    greeting = ads + "so how are you doing great thanks".split() + ["topic"] * 3000
    assert outline._intro_end(greeting, units) is None  # a greeting that late is no introduction's end


def test_dev_corpus_titles_are_short_distinct_phrases() -> None:
    corpus = Path(__file__).resolve().parents[2] / "shared" / "dev-corpus"  # ../shared beside the clone
    if not corpus.is_dir():
        pytest.skip("development corpus not present (development machines only)")
    for path in sorted(corpus.glob("*.captions.txt")):
        text = path.read_text(encoding="utf-8")
        check_titles(build_outline(text, crude_starts(text)))
        check_titles(build_outline(text, crude_starts(text), contextual=True))  # the refined outline


def test_seed_deterministic_and_stable_titles(seed_text: str, seed_outline: list[Section]) -> None:
    again = build_outline(seed_text, crude_starts(seed_text))
    assert again == seed_outline


def test_granularity_changes_count(seed_text: str, seed_outline: list[Section]) -> None:
    starts = crude_starts(seed_text)
    fewer = build_outline(seed_text, starts, granularity=0.5)
    more = build_outline(seed_text, starts, granularity=2.0)
    assert len(fewer) < len(seed_outline) < len(more)
    check_invariants(seed_text, starts, fewer)
    check_invariants(seed_text, starts, more)


def test_progress_is_reported_and_monotonic(seed_text: str) -> None:
    seen: list[float] = []
    build_outline(seed_text[:60000], crude_starts(seed_text[:60000]), progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_the_refined_outline_reports_its_encoding_and_is_deterministic(seed_text: str) -> None:
    text = seed_text[:60000]
    starts = crude_starts(text)
    seen: list[float] = []
    refined = build_outline(text, starts, progress=seen.append, contextual=True)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert len([f for f in seen if 0.15 < f < 0.85]) >= 3  # the encoder's batches move the bar
    check_invariants(text, starts, refined)
    outline._EMBEDDED_MEMO.clear()
    assert build_outline(text, starts, contextual=True) == refined


def test_empty_text() -> None:
    assert build_outline("", []) == []
    assert to_json([]) == {"sections": []}


def test_whitespace_only_text() -> None:
    sections = build_outline("   \n  ", [])
    assert len(sections) == 1 and (sections[0].start, sections[0].end) == (0, 6)


def test_short_text_is_one_section() -> None:
    text = " ".join(["we talked about the garden and the tomatoes and the roses"] * 30)
    sections = build_outline(text, crude_starts(text))
    assert len(sections) == 1
    assert (sections[0].start, sections[0].end) == (0, len(text))
    assert sections[0].title and sections[0].keywords


def test_synthetic_topics_are_found() -> None:
    text = topic_text(("chess", "baking", "sailing", "astronomy"))
    starts = crude_starts(text)
    sections = build_outline(text, starts)
    check_invariants(text, starts, sections)
    n_words = len(text.split())
    true_bounds = [i * n_words // 4 for i in (1, 2, 3)]
    offs = [m.start() for m in re.finditer(r"\S+", text)]
    found = [sum(1 for o in offs if o < s.start) for s in sections[1:]]
    for b in true_bounds:
        assert any(abs(f - b) <= 100 for f in found), (found, true_bounds)
    joined = " ".join(s.title.lower() for s in sections)
    for topic in ("chess", "bread", "boat", "telescope"):
        assert any(
            w in joined
            for w in _TOPICS[
                {"chess": "chess", "bread": "baking", "boat": "sailing", "telescope": "astronomy"}[topic]
            ].split()
        ), joined


def test_starts_inside_words_are_ignored() -> None:
    text = topic_text(("chess", "baking"), words_each=900)
    offs = [m.start() for m in re.finditer(r"\S+", text)]
    bad = [o + 1 for o in offs[::5] if not text[o + 1].isspace()]  # inside words: never usable
    sections = build_outline(text, bad)
    assert [s.start for s in sections] == [0]
    good = offs[::10]
    check_invariants(text, good, build_outline(text, good + bad))


def test_unsorted_and_out_of_range_starts(seed_text: str) -> None:
    text = seed_text[:40000]
    starts = crude_starts(text)
    noisy = list(reversed(starts)) + [-5, 0, len(text), len(text) + 10]
    assert build_outline(text, noisy) == build_outline(text, starts)


def test_json_and_cache_round_trip(seed_outline: list[Section]) -> None:
    data = to_json(seed_outline)
    assert set(data) == {"sections"}
    assert set(data["sections"][0]) == {"title", "start", "end", "keywords"}
    assert sections_from_cache(sections_to_cache(seed_outline)) == seed_outline


@pytest.mark.parametrize(
    "bad",
    [
        [{"title": "x", "start": 0}],
        [{"title": 3, "start": 0, "end": 4, "keywords": []}],
        [{"title": "x", "start": 5, "end": 4, "keywords": []}],
        [{"title": "x", "start": 0, "end": 4, "keywords": "abc"}],
        ["not a dict"],
    ],
)
def test_cache_rejects_malformed(bad: list) -> None:
    with pytest.raises(ValueError):
        sections_from_cache(bad)


def test_version_is_a_string() -> None:
    assert isinstance(outline.OUTLINE_VERSION, str) and outline.OUTLINE_VERSION


# ------------------------------------------------------------------ word vectors and fallbacks


def test_bundled_word_vectors_load_and_make_sense() -> None:
    from desktop_app.outline import vectors as outline_vectors

    vectors = outline_vectors.get_vectors()
    assert vectors is not None, "resources/models/outline_vectors.npz should ship with the app"
    assert vectors.dims == 128

    def cos(a: str, b: str) -> float:
        va, vb = vectors.vector(a), vectors.vector(b)
        assert va is not None and vb is not None
        return float(va @ vb / ((va @ va) ** 0.5 * (vb @ vb) ** 0.5))

    assert cos("dog", "puppy") > cos("dog", "galaxy") + 0.3
    assert cos("telescope", "galaxy") > cos("telescope", "bread")
    assert vectors.pieces("jiu-jitsu"), "unknown words are split into word pieces"
    assert vectors.vector("\u4e2d\u6587") is None
    assert vectors.matrix(["dog", "\u4e2d\u6587"]).shape == (2, 128)


def test_word_vectors_file_is_validated(tmp_path: Path) -> None:
    import numpy as np

    from desktop_app.outline.vectors import WordVectors

    bad = tmp_path / "v.npz"
    np.savez(bad, tokens=np.frombuffer(b"a\nb\nc", dtype=np.uint8), vectors=np.zeros((2, 4), np.int8))
    with pytest.raises(ValueError):
        WordVectors.load(bad)


def test_outline_without_word_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.outline import vectors as outline_vectors

    monkeypatch.setattr(outline_vectors, "get_vectors", lambda: None)
    text = topic_text(("chess", "baking", "sailing"))
    starts = crude_starts(text)
    sections = build_outline(text, starts)
    check_invariants(text, starts, sections)
    assert len(sections) >= 2


def test_spoken_introduction_is_its_own_section() -> None:
    intro = (
        "the following is a conversation with Ada Lovelace she is a mathematician this is the "
        "podcast and now dear friends here's Ada Lovelace "
    )
    text = intro + topic_text(("chess", "baking", "sailing"))
    starts = crude_starts(text, every=8)
    sections = build_outline(text, starts)
    check_invariants(text, starts, sections)
    assert sections[0].title == "Introduction"
    assert sections[0].end <= len(intro) + 60


@pytest.mark.parametrize("n_words", [650, 1300, 2600])
def test_degenerate_vocabulary_does_not_crash(n_words: int) -> None:
    text = " ".join(["alpha beta gamma delta"] * (n_words // 4))  # every unit has every word: idf 0
    starts = crude_starts(text)
    sections = build_outline(text, starts)
    check_invariants(text, starts, sections)


def test_boundary_features_shape_and_peaks() -> None:
    import numpy as np

    x = np.array([0.1, 0.5, 0.2, 0.9, 0.3])
    assert list(np.round(outline._peak_height(x, 1), 2)) == [-0.4, 0.3, -0.7, 0.6, -0.6]
    rng = np.random.default_rng(0)
    blocks = [rng.standard_normal((40, 8)), rng.standard_normal((40, 5))]
    cues = np.zeros(40)
    cues[7] = 1.0
    onsets = np.zeros(40)
    feats = outline._boundary_features(blocks, np.full(40, 20.0), cues, onsets)
    assert feats.shape == (40, len(outline.BOUNDARY_COEF))
    assert np.isfinite(feats).all()
    assert feats[7, -2] == 1.0
    single = outline._boundary_features(blocks[:1], np.full(40, 20.0), cues, onsets)  # no word vectors
    assert single.shape == feats.shape


def test_name_onsets_peak_where_recurring_names_first_appear() -> None:
    import numpy as np

    filler = "so we talked about this and that for a while".split()
    words = filler * 40  # 400 words
    surface = list(words)
    # "Llama" first named at word 200 and recurring; "Paris" named only twice (below the minimum count)
    for i in (200, 230, 260, 330):
        surface[i], words[i] = "Llama", "llama"
    for i in (40, 45):
        surface[i], words[i] = "Paris", "paris"
    surface[10], words[10] = "The", "the"  # a capitalised stop word is no name
    caps = outline._capitalised(surface, words)
    assert caps[200] and not caps[10] and not caps[11]
    units = list(range(0, 400, 20))
    onsets = outline._name_onsets(words, caps, units)
    assert onsets.shape == (len(units),)
    assert np.isfinite(onsets).all()
    window = outline.ONSET_WORDS
    hit = [u for u in units if u <= 200 < u + window]
    assert all(onsets[units.index(u)] > onsets[units.index(0)] for u in hit)
    assert onsets[units.index(220)] == onsets[units.index(0)]  # after the first mention: nothing new


def test_name_onsets_without_names_are_flat() -> None:
    import numpy as np

    words = ("so we talked about this and that " * 30).split()
    onsets = outline._name_onsets(words, outline._capitalised(words, words), list(range(0, len(words), 15)))
    assert np.array_equal(onsets, np.zeros(len(onsets)))


def test_name_onsets_ignore_words_mostly_written_lower_case() -> None:
    import numpy as np

    words = ("so we talked about this and that for a while " * 40).split()
    surface = list(words)
    for i in (100, 130, 160):  # "Right" capitalised three times (sentence starts of cased text) ...
        surface[i], words[i] = "Right", "right"
    for i in (20, 50, 180, 220, 260, 300, 340):  # ... but written "right" more often
        surface[i], words[i] = "right", "right"
    units = list(range(0, 400, 20))
    onsets = outline._name_onsets(words, outline._capitalised(surface, words), units)
    assert np.array_equal(onsets, np.zeros(len(units)))


def test_section_starts_snap_to_the_displayed_sentence_starts(seed_text: str) -> None:
    units = crude_starts(seed_text)
    words = [m.start() for m in re.finditer(r"\S+", seed_text)]
    shifted = sorted(
        {words[min(bisect_left(words, u) + 2, len(words) - 1)] for u in units}
    )  # two words later
    sections = build_outline(seed_text, units, snap_to=shifted)
    check_invariants(seed_text, shifted, sections)
    plain = build_outline(seed_text, units)
    assert len(sections) == len(plain)  # titles may differ a little: they are taken from the snapped sections
    assert [bisect_left(words, s.start) for s in sections[1:]] == [
        bisect_left(words, s.start) + 2 for s in plain[1:]
    ]


def test_snap_takes_the_nearest_target_between_the_neighbours() -> None:
    assert outline._snap([0, 100, 200, 300], [50, 98, 180, 260]) == [0, 98, 180, 300]
    assert outline._snap([0, 100, 200, 300], [40]) == [0, 40, 300]  # far, but the only one: taken
    assert outline._snap([0, 100, 200, 300], [150]) == [0, 150, 300]  # both bounds want 150: the second drops
    assert outline._snap([0, 100, 300], []) == [0, 300]


def test_app_pipeline_sections_start_on_displayed_sentences(seed_text: str) -> None:
    from desktop_app.readability import segmentation as readability

    readable = readability.segment(seed_text)
    displayed = readable.sentence_starts()
    assert readable.unit_starts() != displayed  # units on the linear model's own starts
    for granularity in (1.0, 4.0):
        sections = build_outline(seed_text, readable.unit_starts(), granularity, snap_to=displayed)
        check_invariants(seed_text, displayed, sections)
