"""The query language on the seed transcript: stems, phrases, boolean, wildcards, fuzzy, notes, suggestions,
malformed input, and exact offsets of every hit."""

from __future__ import annotations

import random
import re
import string
from collections import Counter

import pytest
from search_samples import split_paragraphs

from desktop_app.paths import resource_path
from desktop_app.search.index import Hit, SearchIndex, SearchResult
from desktop_app.search.query import stem_words

SEED = resource_path("transcripts", "lex-383-mark-zuckerberg.txt")
WORD = re.compile(r"\w")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, seed_text: str) -> SearchIndex:
    cache = tmp_path_factory.mktemp("cache")
    built = SearchIndex.open_or_build(cache, "seed", seed_text, split_paragraphs(seed_text))
    built.set_notes(
        [
            ("note-1", "Great point about Llama and open source models", 100, 120),
            ("note-2", "Compare with the rear naked choke earlier", 5000, 5010),
            ("note-3", "Zebra crossing idea", 9000, 9004),
        ]
    )
    yield built
    built.close()


@pytest.fixture(scope="module")
def stem_counts(index: SearchIndex, seed_text: str) -> Counter[str]:
    """How many times each stem occurs in the indexed paragraphs."""
    counts: Counter[str] = Counter()
    for start, end in index.paragraphs:
        counts.update(stem_words(seed_text[start:end]))
    return counts


def text_hits(result: SearchResult) -> list[Hit]:
    return [h for h in result.hits if h.note_id is None]


def hit_texts(result: SearchResult, text: str) -> list[str]:
    return [text[h.start : h.end] for h in text_hits(result)]


def check_hits(index: SearchIndex, text: str, result: SearchResult) -> None:
    """Invariants of every result: document order, words on exact word boundaries, inside their paragraph,
    and the hit emphasised in its snippet."""
    assert result.total == len(result.hits)
    keys = [(h.start, h.end) for h in result.hits]
    assert keys == sorted(keys)
    previous_end = -1
    for hit in text_hits(result):
        assert 0 <= hit.start < hit.end <= len(text)
        found = text[hit.start : hit.end]
        assert WORD.match(found[0]) and WORD.match(found[-1]), found
        assert hit.start == 0 or not WORD.match(text[hit.start - 1]), found
        assert hit.end == len(text) or not WORD.match(text[hit.end]), found
        p_start, p_end = index.paragraphs[hit.paragraph]
        assert p_start <= hit.start and hit.end <= p_end
        assert hit.start >= previous_end  # hits never overlap
        previous_end = hit.end
        emphasised = [hit.snippet[a:b] for a, b in hit.snippet_spans]
        assert " ".join(found.split()) in emphasised
        assert len(hit.snippet) <= 260
    for hit in result.hits:
        if hit.note_id is not None:
            assert hit.paragraph == -1 and hit.snippet_spans


# --- the acceptance queries ---------------------------------------------------------------------------


def test_llama(index: SearchIndex, seed_text: str) -> None:
    result = index.search("llama")
    texts = hit_texts(result, seed_text)
    assert len(texts) >= 10 and {t.lower() for t in texts} == {"llama"}
    assert len(texts) == len(re.findall(r"\bllama\b", seed_text, re.IGNORECASE))
    check_hits(index, seed_text, result)


def test_a_question_typed_with_its_question_mark_finds_the_words(index: SearchIndex, seed_text: str) -> None:
    """Typing "llama?" found nothing: Whoosh took the "?" for a one-letter wildcard ("llama" and one letter)."""
    assert hit_texts(index.search("llama?"), seed_text) == hit_texts(index.search("llama"), seed_text)
    assert index.search("what about the metaverse?").total == index.search("metaverse").total > 0
    assert index.search("ll?ma").total > 0  # inside a word it is still the wildcard


def test_open_source_finds_both_words_in_the_same_paragraph(index: SearchIndex, seed_text: str) -> None:
    result = index.search("open source")
    texts = {t.lower() for t in hit_texts(result, seed_text)}
    assert {"open", "source", "sourcing"} <= texts
    assert {stem_words(t)[0] for t in texts} == {"open", "sourc"}
    for paragraph in {h.paragraph for h in text_hits(result)}:
        start, end = index.paragraphs[paragraph]
        assert {"open", "sourc"} <= set(stem_words(seed_text[start:end]))
    check_hits(index, seed_text, result)


def test_phrase_rear_naked_choke_covers_the_whole_phrase(index: SearchIndex, seed_text: str) -> None:
    result = index.search('"rear naked choke"')
    assert hit_texts(result, seed_text) == ["rear naked choke"]
    assert text_hits(result)[0].start == seed_text.index("rear naked choke")
    check_hits(index, seed_text, result)


def test_fight_finds_its_word_forms(index: SearchIndex, seed_text: str) -> None:
    result = index.search("fight")
    texts = {t.lower() for t in hit_texts(result, seed_text)}
    assert {"fight", "fighting"} <= texts
    assert all(stem_words(t) == ["fight"] for t in texts)
    assert index.search("fighting").total == result.total
    check_hits(index, seed_text, result)


def test_fuzzy_zuckerburg(index: SearchIndex, seed_text: str) -> None:
    result = index.search("zuckerburg~")
    assert set(hit_texts(result, seed_text)) == {"Zuckerberg"}
    assert text_hits(result)[0].start == seed_text.index("Zuckerberg")
    assert result.total == seed_text.count("Zuckerberg")


def test_metaverse_or_quest(index: SearchIndex, seed_text: str) -> None:
    result = index.search("metaverse OR quest")
    stems = {stem_words(t)[0] for t in hit_texts(result, seed_text)}
    assert stems == {"metavers", "quest"}
    both = index.search("metaverse").total + index.search("quest").total
    assert result.total == both
    check_hits(index, seed_text, result)


def test_wildcard_censor(index: SearchIndex, seed_text: str) -> None:
    result = index.search("censor*")
    texts = {t.lower() for t in hit_texts(result, seed_text)}
    assert {"censorship", "censor"} <= texts
    assert all(t.startswith("censor") for t in texts)
    assert result.total == len(re.findall(r"\bcensor\w*", seed_text, re.IGNORECASE))


# --- the rest of the language ---------------------------------------------------------------------------------


def test_case_insensitive(index: SearchIndex) -> None:
    assert index.search("LLAMA").hits == index.search("llama").hits


def test_plain_words_drop_common_words_but_a_common_word_alone_is_found(
    index: SearchIndex, seed_text: str
) -> None:
    assert {t.lower() for t in hit_texts(index.search("what is the metaverse"), seed_text)} == {"metaverse"}
    assert len(text_hits(index.search("the"))) == len(re.findall(r"\bthe\b", seed_text, re.IGNORECASE))


def test_phrase_matches_exactly_the_adjacent_words(index: SearchIndex, seed_text: str) -> None:
    result = index.search('"open source"')
    texts = hit_texts(result, seed_text)
    assert "open source" in texts and "open sourcing" in texts  # a phrase matches stems too
    assert all(stem_words(t) == ["open", "sourc"] for t in texts)  # also "open- sourcing"
    expected = sum(
        len(re.findall(r"\bopen\W+sourc\w*", seed_text[s:e], re.IGNORECASE)) for s, e in index.paragraphs
    )
    assert len(texts) == expected
    assert len(texts) < index.search("open source").total


def test_phrase_with_slop_allows_a_gap(index: SearchIndex, seed_text: str) -> None:
    exact = index.search('"open model"').total
    loose = index.search('"open model"~3')
    assert loose.total > exact
    for text in hit_texts(loose, seed_text):
        words = text.lower().split()
        assert words[0] == "open" and stem_words(words[-1]) == ["model"] and len(words) <= 4


def test_and_not(index: SearchIndex, seed_text: str) -> None:
    both = index.search("meta AND llama")
    assert both.total and both.hits == index.search("meta llama").hits
    without = index.search("llama NOT meta")
    assert 0 < without.total < index.search("llama").total
    for hit in text_hits(without):
        start, end = index.paragraphs[hit.paragraph]
        assert "meta" not in stem_words(seed_text[start:end])
        assert seed_text[hit.start : hit.end].lower() == "llama"


def test_wildcard_past_the_stem_and_single_character(index: SearchIndex, seed_text: str) -> None:
    texts = {t.lower() for t in hit_texts(index.search("company*"), seed_text)}
    assert {"company", "companies"} <= texts
    texts = {t.lower() for t in hit_texts(index.search("l?ama"), seed_text)}
    assert texts == {"llama"}


def test_fuzzy_matches_the_word_as_typed_then_its_stem(index: SearchIndex, seed_text: str) -> None:
    texts = {t.lower() for t in hit_texts(index.search("metavrse~"), seed_text)}
    assert "metaverse" in texts
    assert index.search("metavrse").total == 0
    assert set(hit_texts(index.search("zuckerbreg~"), seed_text)) == {"Zuckerberg"}  # a swap is one edit
    texts = {t.lower() for t in hit_texts(index.search("fightnig~"), seed_text)}
    assert {"fighting", "fight"} <= texts  # fightnig → fighting → stem "fight"
    assert index.search("zuckrbrg~").total == 0
    assert set(hit_texts(index.search("zuckrbrg~2"), seed_text)) == {"Zuckerberg"}
    assert index.search("zuckerburg~1/2").total == index.search("zuckerburg~").total
    assert index.search("zuckerburg~1/9").total == 0  # the first nine letters must match


def test_notes_are_searched_and_note_field_restricts_to_notes(index: SearchIndex) -> None:
    everywhere = index.search("llama")
    notes_only = index.search("note:llama")
    assert [h.note_id for h in notes_only.hits] == ["note-1"]
    hit = notes_only.hits[0]
    assert (hit.start, hit.end, hit.paragraph) == (100, 120, -1)
    assert [hit.snippet[a:b] for a, b in hit.snippet_spans] == ["Llama"]
    assert hit in everywhere.hits and everywhere.total > 1
    assert [h.note_id for h in index.search('note:"rear naked choke"').hits] == ["note-2"]
    assert index.search("zebra").hits[0].note_id == "note-3"
    assert index.search("note:metaverse").total == 0


def test_suggestion_when_nothing_matches(index: SearchIndex) -> None:
    result = index.search("zuckerburg")
    assert result.total == 0 and result.error is None
    assert result.suggestion == "zuckerberg"
    assert index.search("opne sorce").suggestion == "open source"
    assert index.search("qqqxqqq").suggestion is None
    assert index.search("llama").suggestion is None


def test_limit_keeps_the_first_hits_and_the_total(index: SearchIndex) -> None:
    full = index.search("meta")
    limited = index.search("meta", limit=5)
    assert limited.total == full.total > 5
    assert limited.hits == full.hits[:5]


@pytest.mark.parametrize(
    "query",
    [
        '"open source',
        "AND",
        "OR OR",
        "NOT",
        "*",
        "~~",
        "~",
        "((",
        ")))",
        '"',
        '""',
        "a AND (b OR",
        "note:",
        ":",
        "^",
        "llama^",
        "zuckerberg~9",
        "fight~0/9",
        "[a TO c]",
        "-",
        "?",
        "**",
        "x" * 2000,
        "   ",
        "",
        "\x00",
        "open\nsource",
        "é*",
        "note:(",
        "AND OR NOT",
    ],
)
def test_malformed_queries_never_raise(index: SearchIndex, seed_text: str, query: str) -> None:
    result = index.search(query)
    assert result.query == query
    assert result.error is None or (isinstance(result.error, str) and not result.hits)
    check_hits(index, seed_text, result)


def test_junk_queries_never_raise(index: SearchIndex, seed_text: str) -> None:
    rng = random.Random(383)
    for _ in range(5):
        junk = "".join(rng.choice(string.printable) for _ in range(2000))
        check_hits(index, seed_text, index.search(junk))


# --- exact offsets of every hit -------------------------------------------------------------------------------

QUERIES = [
    "meta",
    "open source",
    "zuckerberg",
    "jiu jitsu",
    "ai",
    "model",
    "people",
    "think",
    "training",
    "safety",
    '"open source"',
    '"the future"',
    '"mark zuckerberg"',
    '"i think"~2',
    "llama OR quest",
    "meta AND NOT ai",
    "compan*",
    "tr?in*",
    "*ing",
    "instagr*",
    "zukerberg~",
    "facebok~2",
    "modle~",
    "the",
    "a",
    "s",
    "note:open",
    "metaverse quest",
    "fight*",
    "ANDNOT",
    "open ANDNOT source",
]


@pytest.mark.parametrize("query", QUERIES)
def test_every_hit_lands_on_the_matched_words(index: SearchIndex, seed_text: str, query: str) -> None:
    result = index.search(query)
    assert result.error is None
    check_hits(index, seed_text, result)


def test_every_word_finds_exactly_its_stem_occurrences(
    index: SearchIndex, seed_text: str, stem_counts: Counter[str]
) -> None:
    words = sorted({w.lower() for w in re.findall(r"[a-zA-Z]{3,}", seed_text)})
    for word in random.Random(5).sample(words, 150):
        result = index.search(f'"{word}"')
        (stem,) = stem_words(word)
        assert len(text_hits(result)) == stem_counts[stem], word
        for hit in text_hits(result):
            assert stem_words(seed_text[hit.start : hit.end]) == [stem]
        check_hits(index, seed_text, result)


@pytest.mark.parametrize(
    "query", ["the", "that think", "meta OR facebook", '"i think" people', "compan*", "s"]
)
def test_a_limit_counts_the_rest_exactly(index: SearchIndex, query: str) -> None:
    full = index.search(query)
    for limit in (0, 1, 20):
        limited = index.search(query, limit=limit)
        assert limited.total == full.total > 20
        assert limited.hits == full.hits[:limit]


def test_a_huge_count_past_the_limit_is_estimated(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.search import index as index_module

    exact = index.search('"i think"')
    assert not exact.approximate
    monkeypatch.setattr(index_module, "EXACT_UP_TO", 10)  # as if the index were huge
    monkeypatch.setattr(index_module, "COUNT_BUDGET", 5)
    estimate = index.search('"i think"', limit=10)
    assert estimate.approximate and estimate.hits == exact.hits[:10]
    assert 0.5 * exact.total < estimate.total < 2 * exact.total
    assert not index.search('"i think"').approximate  # no limit: every hit, exactly
    assert not index.search("think", limit=10).approximate  # a plain word is counted exactly


def test_andmaybe_highlights_the_optional_word_where_it_is(index: SearchIndex, seed_text: str) -> None:
    result = index.search("meta ANDMAYBE llama")
    check_hits(index, seed_text, result)
    by_paragraph: dict[int, set[str]] = {}
    for hit in text_hits(result):
        by_paragraph.setdefault(hit.paragraph, set()).add(seed_text[hit.start : hit.end].lower())
    assert by_paragraph == {
        number: {w for w in ("meta", "llama") if w in stem_words(seed_text[start:end])}
        for number, (start, end) in enumerate(index.paragraphs)
        if "meta" in stem_words(seed_text[start:end])
    }


# --- building blocks ------------------------------------------------------------------------------------------


def test_vocabulary_expands_suggests_and_finds_near_words() -> None:
    from desktop_app.search.vocabulary import Vocabulary, edit_distance

    assert (edit_distance("opne", "open"), edit_distance("kitten", "sitting"), edit_distance("", "abc")) == (
        1,
        3,
        3,
    )
    vocabulary = Vocabulary.from_texts(["Open source open sourcing the source of force", "Zuckerberg open"])
    assert vocabulary.count("open") == 3 and "zuckerberg" in vocabulary and "Open" not in vocabulary
    assert vocabulary.expand("sour*") == ["source", "sourcing"]
    assert vocabulary.expand("?orce") == ["force"]
    assert vocabulary.expand("open") == ["open"] and vocabulary.expand("nothing*") == []
    assert vocabulary.near("sorce", 1) == ["force", "source"]
    assert vocabulary.suggest("sorce") == "source"  # as near as "force", and more frequent
    assert vocabulary.suggest("opne") == "open"
    assert vocabulary.suggest("zuckerburg") == "zuckerberg"
    assert vocabulary.suggest("open") is None and vocabulary.suggest("xy") is None
    assert Vocabulary({}).suggest("anything") is None


def test_snippets_cut_at_word_boundaries_and_shift_their_spans() -> None:
    from desktop_app.search.snippets import ELLIPSIS, make_snippet

    text = " ".join(f"word{i:03d}" for i in range(100))  # 8 characters a word with its space
    start = text.index("word050")
    snippet, spans = make_snippet(text, start, start + 7, [start, start + 16], [start + 7, start + 23])
    assert snippet.startswith(ELLIPSIS) and snippet.endswith(ELLIPSIS)
    body = snippet[1:-1]
    assert body.startswith("word") and body.endswith(tuple("0123456789")) and body in text
    assert [snippet[a:b] for a, b in spans] == ["word050", "word052"]
    snippet, spans = make_snippet("short text\nhere", 6, 10, [6], [10])
    assert (snippet, spans) == ("short text here", ((6, 10),))  # a line break shows as a space


def test_adjacent_matched_words_can_be_joined_into_one_hit(index: SearchIndex, seed_text: str) -> None:
    joined = index.search("open source", join_adjacent=True)
    words = index.search("open source")
    texts = [seed_text[h.start : h.end].lower() for h in text_hits(joined)]
    assert "open source" in texts
    assert joined.total == len(joined.hits) < words.total
    assert all(h.snippet[a:b] for h in text_hits(joined) for a, b in h.snippet_spans)
    repeated = index.search("the", join_adjacent=True)  # "the the" stays two hits: only different words join
    assert repeated.total == index.search("the").total
