"""Issue 16 item 3: every query parameter bounded, a time budget, cancellation; hostile queries never raise."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from search_samples import split_paragraphs

from desktop_app.search.index import SearchIndex, _phrase_spans
from desktop_app.search.query import MAX_BOOST, MAX_FUZZY_DISTANCE, MAX_SLOP, parse_query, walk

HOSTILE_QUERIES = [
    '"you know i"~100000000',
    '"you know i"~99999999999999999999999999999999999999',
    '"you know"~-3',
    "know~999999/99999",
    "mark^1e400",
    "mark^99999999999999999999",
    "mark^-5",
    '"a b"^nan',
    "*" * 300,
    "a* " * 150,
    "(" * 200 + "mark" + ")" * 200,
    '"' * 301,
    "note:" * 100,
    "NOT NOT NOT mark",
    "mark~2/-1",
    "\x00\u202e\ufffd mark",
    "mark AND",
    "~" * 50,
    "^" * 50,
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, seed_text: str) -> SearchIndex:
    text = seed_text[:60_000]
    paragraphs = split_paragraphs(text)
    return SearchIndex.open_or_build(Path(tmp_path_factory.mktemp("index")), "d" * 64, text, paragraphs)


def test_every_parameter_is_bounded() -> None:
    for query in HOSTILE_QUERIES:
        parsed = parse_query(query)
        for node in walk(parsed.query) if parsed.query is not None else ():
            assert 0 <= node.boost <= MAX_BOOST
            assert 0 < getattr(node, "slop", 1) <= MAX_SLOP
            assert 0 <= getattr(node, "maxdist", 0) <= MAX_FUZZY_DISTANCE
            assert 0 <= getattr(node, "prefixlength", 0) <= len(getattr(node, "text", "") or "")


def test_a_huge_slop_finds_what_the_bounded_one_finds(index: SearchIndex) -> None:
    huge = index.search('"you know i"~100000000', 50)
    bounded = index.search(f'"you know i"~{MAX_SLOP}', 50)
    assert huge.error is None and huge.total == bounded.total > 0


def test_phrase_spans_take_the_nearest_next_word_whatever_the_slop() -> None:
    words = [[(0, 0, 3), (10, 40, 43)], [(2, 6, 9), (11, 44, 47)]]
    assert _phrase_spans(words, 2) == [(0, 9), (40, 47)]
    assert _phrase_spans(words, 1) == [(40, 47)]
    assert _phrase_spans(words, 10**9) == [(0, 9), (40, 47)]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_answer_without_raising(index: SearchIndex, query: str) -> None:
    result = index.search(query, 20, join_adjacent=True)
    assert result.query == query and result.total >= 0


def test_a_search_out_of_time_stops_and_says_so(index: SearchIndex) -> None:
    result = index.search("mark", 20, budget=0)
    assert result.hits == () and "took longer" in (result.error or "")


def test_a_cancelled_search_stops(index: SearchIndex) -> None:
    result = index.search("a* b* c*", 20, should_stop=lambda: True)
    assert result.hits == () and "cancelled" in (result.error or "")


def test_limits_out_of_range_are_bounded(index: SearchIndex) -> None:
    assert index.search("mark", -5).hits == ()
    assert index.search("mark", 10**30).total == index.search("mark", None).total


def test_seeded_query_fuzz_never_raises(index: SearchIndex) -> None:
    rng = random.Random(16)
    alphabet = [
        '"',
        "~",
        "^",
        "*",
        "?",
        "(",
        ")",
        ":",
        "AND ",
        "OR ",
        "NOT ",
        "note:",
        " ",
        "9",
        "-",
        "/",
        "mark",
        "know",
        "you",
        "open",
        "source",
        "\u00e9",
        "\x00",
        "1e400",
        "[",
        "]",
        "{",
        "}",
    ]
    for _ in range(150):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 25)))
        result = index.search(query, 20, join_adjacent=True)
        assert result.total >= 0 and (result.hits == () or result.error is None)
