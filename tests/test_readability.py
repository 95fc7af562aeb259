"""Tests for desktop_app.readability.segmentation: sentence and paragraph segmentation."""

from __future__ import annotations

import json
import re

import pytest

from desktop_app.paths import default_transcript
from desktop_app.readability import segmentation as rd


def words_of(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def check_invariants(text: str, readable: rd.Readable) -> None:
    """Paragraphs ordered and disjoint; every word in exactly one sentence; spans on word edges."""
    spans = words_of(text)
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    covered: list[tuple[int, int]] = []
    prev_end = 0
    for p in readable.paragraphs:
        assert p.sentences
        assert p.start == p.sentences[0].start and p.end == p.sentences[-1].end
        assert p.start >= prev_end
        prev_end = p.end
        for s in p.sentences:
            assert s.start in starts and s.end in ends and s.start < s.end
            assert s.mark in ("", ".", "?", "!")
            covered.append((s.start, s.end))
    for (_, e1), (s2, _) in zip(covered, covered[1:], strict=False):
        assert e1 <= s2
    # every word inside exactly one sentence
    k = 0
    for s, e in spans:
        while k < len(covered) and covered[k][1] < e:
            k += 1
        assert k < len(covered) and covered[k][0] <= s and e <= covered[k][1], (s, e, text[s:e])
    # sentences are disjoint (checked above), so no word is in two of them


@pytest.fixture(scope="module")
def seed_text() -> str:
    return default_transcript().read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_readable(seed_text: str) -> rd.Readable:
    return rd.segment(seed_text)


@pytest.mark.parametrize("text", ["", "   ", "\n\n \t\n"])
def test_empty_text_gives_no_paragraphs(text: str) -> None:
    assert rd.segment(text).paragraphs == ()


def test_seed_transcript_invariants(seed_text: str, seed_readable: rd.Readable) -> None:
    check_invariants(seed_text, seed_readable)
    assert not seed_readable.already_punctuated


def test_seed_sentence_and_paragraph_lengths(seed_text: str, seed_readable: rd.Readable) -> None:
    n_words = len(seed_text.split())
    sentences = [s for p in seed_readable.paragraphs for s in p.sentences]
    assert 4 < n_words / len(sentences) < 40
    lengths = [len(seed_text[p.start : p.end].split()) for p in seed_readable.paragraphs]
    assert max(lengths) <= rd.MAX_PARAGRAPH_WORDS
    lengths.sort()
    assert 15 <= lengths[len(lengths) // 2] <= 150  # more turn breaks (turn recall 0.65 -> 0.73)


def test_seed_marks_and_capitals(seed_text: str, seed_readable: rd.Readable) -> None:
    sentences = [s for p in seed_readable.paragraphs for s in p.sentences]
    marks = [s.mark for s in sentences]
    assert set(marks) <= {".", "?"}
    assert 0.02 < marks.count("?") / len(marks) < 0.4
    caps = set(seed_readable.capitalize)
    for off in caps:
        assert seed_text[off].islower()
    starts = {s.start for s in sentences}
    assert all(off in starts for off in caps)
    lower_starts = [s.start for s in sentences if seed_text[s.start].islower()]
    assert all(
        s in caps for s in lower_starts if not any(c.isupper() for c in seed_text[s : s + 20].split()[0])
    )


def test_obvious_questions_get_question_marks() -> None:
    text = (
        "so what do you think about the future of open source AI systems in the next ten years "
        "I think it is going to be really important for everybody and that is why we release the models "
        "do you think that the big companies will keep doing that"
    )
    readable = rd.segment(text)
    sentences = [s for p in readable.paragraphs for s in p.sentences]
    assert len(sentences) >= 2
    assert sentences[0].mark == "?"
    assert any(s.mark == "." for s in sentences)


def test_line_breaks_are_paragraph_breaks() -> None:
    text = "so this is the first line we have\nand this is the second one\n\nthird block here"
    readable = rd.segment(text)
    check_invariants(text, readable)
    par_starts = [p.start for p in readable.paragraphs]
    for line_start in (text.index("and this"), text.index("third")):
        assert line_start in par_starts
    for p in readable.paragraphs:
        assert "\n" not in text[p.start : p.end]


def test_punctuated_text_is_split_on_its_own_punctuation() -> None:
    text = (
        "Lex Fridman: What do you think, Mr. Smith? Is it good?\n"
        "Smith: I think so. It works, e.g. here… And there!\n"
    )
    readable = rd.segment(text)
    check_invariants(text, readable)
    assert readable.already_punctuated
    assert readable.capitalize == () and readable.commas == ()
    sentences = [(text[s.start : s.end], s.mark) for p in readable.paragraphs for s in p.sentences]
    assert sentences == [
        ("Lex Fridman: What do you think, Mr. Smith?", ""),
        ("Is it good?", ""),
        ("Smith: I think so.", ""),
        ("It works, e.g. here…", ""),
        ("And there!", ""),
    ]
    assert [text[p.start : p.start + 5] for p in readable.paragraphs] == ["Lex F", "Smith"]


def test_long_punctuated_line_is_split_into_paragraphs() -> None:
    sentence = "This is a sentence of exactly ten words, more or less. "
    text = sentence * 100
    readable = rd.segment(text)
    check_invariants(text, readable)
    assert len(readable.paragraphs) > 1
    assert all(len(text[p.start : p.end].split()) <= rd.MAX_PARAGRAPH_WORDS for p in readable.paragraphs)
    assert all(s.mark == "" for p in readable.paragraphs for s in p.sentences)


def test_chinese_and_japanese_sentence_marks_are_the_text_s_own_punctuation() -> None:
    """Whisper's Chinese or Japanese segments joined by spaces: the full-width marks end the sentences. They
    were not known, so the text went to the English caption models, which added a "." after each "。"."""
    text = (
        "大家好，欢迎收听本期节目。 你觉得开源会赢吗？ 我认为会赢！ 「そうですね。」 今日はいい天気です。 "
        * 4
    )
    readable = rd.segment(text.strip())
    check_invariants(text.strip(), readable)
    assert readable.already_punctuated
    sentences = [text[s.start : s.end] for p in readable.paragraphs for s in p.sentences]
    assert sentences[:5] == [
        "大家好，欢迎收听本期节目。",
        "你觉得开源会赢吗？",
        "我认为会赢！",
        "「そうですね。」",
        "今日はいい天気です。",
    ]
    assert all(s.mark == "" for p in readable.paragraphs for s in p.sentences)


def test_existing_end_punctuation_in_captions_gets_no_extra_mark() -> None:
    text = "i went to the U.S. and then we talked about it for a while " * 3 + "what happened then?"
    readable = rd.segment(text)
    check_invariants(text, readable)
    last = readable.paragraphs[-1].sentences[-1]
    assert text[last.end - 1] == "?" and last.mark == ""


def test_unicode_digits_and_hyphens_are_robust() -> None:
    text = (
        "naïve café 東京 is great 🙂 we paid $3,500 for a 40% share of the well-known start-up in 2021 "
        "— and the 1.4 version ｆｕｌｌ width text ok \u00a0 zero\u200bwidth done"
    )
    readable = rd.segment(text)
    check_invariants(text, readable)


def test_single_word_and_punctuation_only() -> None:
    for text in ("hello", "…", "?!", "a"):
        readable = rd.segment(text)
        check_invariants(text, readable)
        assert len(readable.paragraphs) == 1


def test_long_line_is_segmented_in_chunks(monkeypatch: pytest.MonkeyPatch, seed_text: str) -> None:
    monkeypatch.setattr(rd, "_CHUNK_WORDS", 700)
    monkeypatch.setattr(rd, "_CHUNK_OVERLAP", 50)
    text = " ".join(seed_text.split()[:5000])
    readable = rd.segment(text)
    check_invariants(text, readable)
    whole = rd.Segmenter(rd.default_model())
    monkeypatch.setattr(rd, "_CHUNK_WORDS", 10**9)
    reference = whole.segment(text)
    # chunking changes little: most sentence starts are the same
    a = {s.start for p in readable.paragraphs for s in p.sentences}
    b = {s.start for p in reference.paragraphs for s in p.sentences}
    assert len(a & b) / len(b) > 0.9


def test_progress_is_reported_from_zero_to_one(monkeypatch: pytest.MonkeyPatch, seed_text: str) -> None:
    monkeypatch.setattr(rd, "_CHUNK_WORDS", 2000)
    seen: list[float] = []
    rd.segment(" ".join(seed_text.split()[:8000]), progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen) and len(seen) > 2


def test_to_json_shape(seed_text: str, seed_readable: rd.Readable) -> None:
    data = json.loads(json.dumps(rd.to_json(seed_readable)))
    assert len(data["paragraphs"]) == len(seed_readable.paragraphs)
    p = data["paragraphs"][0]
    assert {"start", "end", "sentences"} <= set(p)
    assert {"start", "end"} <= set(p["sentences"][0])
    assert p["start"] == 0


def test_cache_round_trip(seed_readable: rd.Readable) -> None:
    data = json.loads(json.dumps(rd.readable_to_cache(seed_readable)))
    assert rd.readable_from_cache(data) == seed_readable


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"version": "old", "paragraphs": []},
        {"version": rd.ALGORITHM_VERSION, "paragraphs": [[]]},
        {"version": rd.ALGORITHM_VERSION, "paragraphs": [[[1, 2]]]},
        {"version": rd.ALGORITHM_VERSION, "paragraphs": 5},
    ],
)
def test_cache_rejects_malformed_data(bad: dict) -> None:
    with pytest.raises(ValueError):
        rd.readable_from_cache(bad)


def test_decode_starts_splits_overlong_sentences() -> None:
    scores = [-5.0] * 100
    scores[50] = -1.0
    starts = rd.decode_starts(scores, threshold=0.0, max_len=30)
    assert starts[0] == 0 and 50 in starts
    bounds = starts + [100]
    assert all(b - a <= 30 for a, b in zip(bounds, bounds[1:], strict=False))


def test_decode_starts_one_word_sentences_need_two_confident_neighbours() -> None:
    scores = [-6.0] * 40
    scores[10], scores[11] = 2.5, 2.0  # "... yeah | so ...": two likely starts side by side
    scores[25], scores[26] = -0.5, -0.7  # mass split between two neighbours: one start
    assert rd.decode_starts(scores, threshold=0.25, max_len=0, pair=0.5) == [0, 10, 11, 25]
    assert rd.decode_starts(scores, threshold=0.25, max_len=0) == [0, 10, 25]


def test_normalize_and_shape() -> None:
    assert rd.normalize("It’s,") == "it's"
    assert rd.normalize("$3,500") == "<num>"
    assert rd.normalize("...") == "..."
    assert [rd.shape(w) for w in ("I", "I'm", "Meta", "AI", "3", "so", "—")] == [
        "I",
        "I",
        "C",
        "U",
        "D",
        "l",
        "p",
    ]


def test_turn_scores_at_positions_match_full_scores(seed_text: str) -> None:
    model = rd.default_model()
    words = seed_text.split()[:400]
    norm = [rd.normalize(w) for w in words]
    shapes = [rd.shape(w) for w in words]
    full = model.turn_scores(norm, shapes)
    positions = [0, 1, 2, 5, 50, 396, 397, 398, 399]
    some = model.turn_scores_at(norm, rd.start_feature_columns(norm, shapes), positions)
    assert some == pytest.approx([full[i] for i in positions])


@pytest.mark.parametrize(
    "text",
    ["x" * 300_000, "!" * 200_000 + "a", ("ab." * 50_000 + " ") * 3, "word " * 10 + "-" * 100_000 + " end"],
)
def test_pathological_words_are_handled(text: str) -> None:
    readable = rd.segment(text)
    check_invariants(text, readable)


def test_commas_fall_after_words_inside_sentences(seed_text: str, seed_readable: rd.Readable) -> None:
    commas = seed_readable.commas
    assert commas and list(commas) == sorted(set(commas))
    word_ends = {e for _, e in words_of(seed_text)}
    sentence_ends = {s.end for p in seed_readable.paragraphs for s in p.sentences}
    assert all(c in word_ends and c not in sentence_ends for c in commas)
    assert len(commas) < len(seed_text.split()) / 8


def test_outline_units_are_the_linear_models_own_sentence_starts(seed_text: str) -> None:
    text = " ".join(seed_text.split()[:2000])
    readable = rd.segment(text)
    model = rd.default_model()
    assert model.tagger is not None, "the shipped model has its network"
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    words = [text[a:b] for a, b in spans]
    norm, shapes = [rd.normalize(w) for w in words], [rd.shape(w) for w in words]
    linear = rd.decode_starts(
        model.start_scores(norm, shapes),
        model.param("start_threshold", 0.25),
        int(model.param("linear_max_sentence", 60)),
    )
    assert list(readable.outline_starts) == [spans[i][0] for i in linear]
    assert readable.unit_starts() == list(readable.outline_starts) != readable.sentence_starts()
    plain = rd.Readable(paragraphs=readable.paragraphs)
    assert plain.unit_starts() == plain.sentence_starts() == readable.sentence_starts()


def test_turn_file_network_params_override_the_taggers() -> None:
    """A turn model file's ``network_params`` (its paragraph decoding chosen with the network) win over the
    settings stored with the network, and only when the network takes part."""

    class Tagger:
        params = {"turn_threshold": -3.0, "tagger_turn": 0.25, "start_threshold": 0.3}

    model = rd.Model({"start": {"bias": 0.0, "tables": {}}, "params": {"turn_threshold": -1.0}})
    model.use_turn_model(
        {
            "turn": {"bias": -9.0, "tables": {}},
            "params": {"insert_threshold": -1.0},
            "network_params": {"turn_threshold": -2.25, "tagger_turn": 0.9},
        }
    )
    param = rd._decoding_params(model, Tagger())
    assert param("turn_threshold", 0.0) == -2.25 and param("tagger_turn", 0.0) == 0.9
    assert param("start_threshold", 0.0) == 0.3 and param("insert_threshold", 0.0) == -1.0
    assert rd._decoding_params(model, None)("turn_threshold", 0.0) == -1.0
    assert rd.Model(model.data).network_params == model.network_params


def test_penalised_breaks_join_a_lone_sentence_unless_both_turns_are_strong() -> None:
    # sentence 0 starts the text; a turn logit per sentence start (the first is ignored)
    weak = [0.0, 2.0, 0.2, 2.0, -3.0]  # sentence 2 ("so ...") is one sentence after a break
    assert rd._penalised_breaks(weak, 0.0, 0.0) == [0, 1, 2, 3]  # no penalty: every start above the threshold
    # with a penalty of 1, sentences 1 and 2 as their own paragraphs each cost 1: joining them at the weaker
    # break (0.2) is better; sentence 3 onwards (two sentences) stays
    assert rd._penalised_breaks(weak, 0.0, 1.0) == [0, 1, 3]
    strong = [0.0, 3.0, 3.0, 3.0, 3.0]  # a short reply between clear turns keeps its paragraph
    assert rd._penalised_breaks(strong, 0.0, 1.0) == [0, 1, 2, 3, 4]
    assert rd._penalised_breaks([0.0], 0.0, 1.0) == [0]


def test_penalised_breaks_with_a_tiny_penalty_are_the_thresholded_ones() -> None:
    import random

    rng = random.Random(7)
    for _ in range(50):
        turn = [rng.uniform(-4, 4) for _ in range(rng.randint(1, 40))]
        above = [0] + [k for k in range(1, len(turn)) if turn[k] > 0.5]
        assert rd._penalised_breaks(turn, 0.5, 1e-9) == above


def test_penalised_breaks_are_the_best_set() -> None:
    """The dynamic programme finds the best total of (logit - threshold) over breaks minus the penalty per
    one-sentence paragraph, checked against every subset of a few sentences."""
    import itertools
    import random

    def total(breaks: list[int], turn: list[float], thr: float, pen: float) -> float:
        bounds = [*breaks, len(turn)]
        singles = sum(1 for a, b in itertools.pairwise(bounds) if b - a == 1)
        return sum(turn[k] - thr for k in breaks[1:]) - pen * singles

    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(2, 9)
        turn = [rng.uniform(-3, 3) for _ in range(n)]
        thr, pen = rng.uniform(-1, 1), rng.uniform(0.1, 3)
        best = max(
            total([0, *c], turn, thr, pen) for r in range(n) for c in itertools.combinations(range(1, n), r)
        )
        got = rd._penalised_breaks(turn, thr, pen)
        assert got[0] == 0 and got == sorted(set(got))
        assert total(got, turn, thr, pen) == pytest.approx(best)


def test_turn_breaks_use_the_penalty_when_given() -> None:
    starts = [0, 5, 9, 20, 30]
    turn = [0.0, 2.0, 0.2, 2.0, -3.0]
    assert rd._turn_breaks(starts, 40, turn, 0.0, 0, 0.0) == [0, 5, 9, 20]
    assert rd._turn_breaks(starts, 40, turn, 0.0, 0, 0.0, 1.0) == [0, 5, 20]
