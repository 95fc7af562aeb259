"""Tests for desktop_app.speakers: names from the opening, host/guest labels, alternation."""

from __future__ import annotations

import pytest

from desktop_app.readability import segmentation as rd
from desktop_app.speakers import SpeakerLabels, infer_speakers
from desktop_app.speakers.inference import (
    SpeakerModel,
    adaptation_counts,
    adapted_posteriors,
    decode_speakers,
    host_posteriors,
    introduction_places,
    opening_sentences,
    sentence_feature_rows,
)
from desktop_app.speakers.names import INTRO_SEARCH_WORDS, find_introduction, find_names

INTRO = (
    "the following is a conversation with Jane Doe a physicist at the University of Nowhere "
    "this is the John Smith podcast and now dear friends here's Jane Doe"
)


def toy_model(**params: float) -> SpeakerModel:
    """A speaker model that knows two words: "asks" (the host) and "answers" (the guest)."""
    return SpeakerModel(
        {
            "bias": 0.0,
            "weights": {"u=asks": 4.0, "u=answers": -4.0},
            "params": {
                "prior": 0.0,
                "evidence": 1.0,
                "turn_scale": 1.0,
                "turn_shift": 0.0,
                "host_threshold": 0.5,
                **params,
            },
        }
    )


def punctuated(lines: list[str]) -> tuple[str, rd.Readable]:
    """A punctuated text, one paragraph per line."""
    text = "\n".join(lines)
    readable = rd.segment(text)
    assert len(readable.paragraphs) == len(lines)
    return text, readable


def test_names_from_the_opening() -> None:
    names = find_names(INTRO + " so what do you think about black holes")
    assert names.host == "John Smith"
    assert names.guest == "Jane Doe"


@pytest.mark.parametrize(
    "opening, host, guest",
    [
        ("this is The Lex Fridman Podcast to support it", "Lex Fridman", None),
        ("today I'm talking to Max Irwin he's a star", None, "Max Irwin"),
        ("a conversation with Dr Omar Suleiman CEO of something", None, "Omar Suleiman"),
        ("this is Alex Freedman podcast and now here's Mark Zuckerberg", None, "Mark Zuckerberg"),
        ("so what do you think I think it is great", None, None),
        ("today I'm talking to Yuri Malkov How are you doing Hi Hi", None, "Yuri Malkov"),
        ("a conversation with Jane Doe Welcome to the show", None, "Jane Doe"),
        ("a conversation with Sean Carroll His work spans physics", None, "Sean Carroll"),
        # all-lower-case captions: the two words after the strongest introductions, after a title
        (
            "this is the lex fridman podcast the following is a conversation with lieutenant ryan graves "
            "former navy fighter pilot",
            "Lex Fridman",
            "Ryan Graves",
        ),
        ("this is the artificial intelligence podcast a conversation with my friend", None, None),
        ("so here's the thing welcome back to the show joined by everyone", None, None),
        # a host who introduces a session, a guest named as "guest" or as sitting "with me"
        ("hi all I'm Jane Roe and I'll be hosting this session today", "Jane Roe", None),
        ("today I have a very interesting guest Ana Lima who is a director", None, "Ana Lima"),
        ("all right so here I have Tomas Berg with me for the second time", None, "Tomas Berg"),
        ("we have lots of guests with us today", None, None),
    ],
)
def test_names_patterns(opening: str, host: str | None, guest: str | None) -> None:
    names = find_names(opening)
    assert (names.host, names.guest) == (host, guest)


def test_names_only_read_the_opening() -> None:
    late = " ".join(["word"] * 1000) + " a conversation with Jane Doe"
    assert find_names(late).guest is None


def test_host_and_guest_named_from_the_text() -> None:
    text, readable = punctuated(
        [
            INTRO + ". So he asks, what is it?",
            "Well, she answers, it is a long answer about stars and answers more.",
            "He asks again: why?",
            "Because, she answers, that is how it answers.",
        ]
    )
    labels = infer_speakers(text, readable, speaker_model=toy_model(turn_shift=4.0))
    assert labels.labels == ("John Smith", "Jane Doe", "John Smith", "Jane Doe")
    assert labels.speakers == ("John Smith", "Jane Doe")
    assert labels.to_json() == {
        "speakers": ["John Smith", "Jane Doe"],
        "paragraph_speakers": ["John Smith", "Jane Doe", "John Smith", "Jane Doe"],
    }
    assert len(labels.host_probability) == 4


def test_host_guest_fallback_without_names() -> None:
    text, readable = punctuated(["He asks a thing.", "She answers it.", "He asks more."])
    labels = infer_speakers(text, readable, speaker_model=toy_model(turn_shift=4.0))
    assert labels.labels == ("Host", "Guest", "Host")
    assert labels.speakers == ("Host", "Guest")


def test_neutral_paragraph_continues_the_speaker_without_a_turn() -> None:
    # the middle unit has no evidence; a weak turn logit before it keeps the previous speaker
    params = toy_model().params
    prob = host_posteriors([-5.0, 0.0, 5.0], [0.0, -8.0, 8.0], params)
    assert prob[0] < 0.5 and prob[1] < 0.5 and prob[2] > 0.5
    prob = host_posteriors([5.0, 0.0, -5.0], [0.0, -8.0, 8.0], params)
    assert prob[0] > 0.5 and prob[1] > 0.5 and prob[2] < 0.5


def test_strong_turns_alternate_speakers() -> None:
    params = toy_model().params
    prob = host_posteriors([3.0, 0.0, 0.0, 0.0], [0.0, 9.0, 9.0, 9.0], params)
    assert [p > 0.5 for p in prob] == [True, False, True, False]


def test_adaptation_counts_words_and_word_pairs() -> None:
    words = ["you", "know", "you", "know"]
    assert adaptation_counts(words) == {"you": 2, "know": 2}
    assert adaptation_counts(words, 2) == {"you": 2, "know": 2, "you know": 2, "know you": 1}


def test_adaptation_learns_the_episode_phrasing() -> None:
    # the first two units are surely the host's, the last two surely the guest's; the doubtful middle units
    # share words with both but their word pairs only with the guest: pairs move them to the guest
    evidence = [6.0, 6.0, 0.0, 0.0, -6.0, -6.0]
    turns = [0.0, -2.0, 0.0, 0.0, 0.0, -2.0]
    words = [
        ["what", "do", "you", "think", "about", "it"],
        ["what", "do", "you", "think", "about", "that"],
        ["it", "you", "know", "think", "sort", "of"],
        ["that", "you", "know", "think", "sort", "of"],
        ["you", "know", "i", "sort", "of", "think"],
        ["you", "know", "it", "is", "sort", "of"],
    ]
    params = {**toy_model().params, "adapt_weight": 0.5, "adapt_rounds": 2.0}
    unigram = adapted_posteriors(evidence, turns, words, {**params, "adapt_ngrams": 1.0})
    pairs = adapted_posteriors(evidence, turns, words, {**params, "adapt_ngrams": 2.0})
    assert pairs[2] < unigram[2] and pairs[3] < unigram[3]
    assert pairs[0] > 0.5 and pairs[5] < 0.5


def test_empty_document() -> None:
    readable = rd.segment("")
    assert infer_speakers("", readable, speaker_model=toy_model()) == SpeakerLabels((), (), ())


def test_shipped_model_labels_an_interview() -> None:
    text = (
        INTRO + " so what do you think is the most beautiful idea in physics and why do you think "
        "people find it so hard to understand well I think the most beautiful idea is that the universe "
        "is comprehensible at all it's kind of a miracle that we can write down equations and they work "
        "and I've spent my whole career being amazed by that and I still am every day when I go to work "
        "and look at the data from the telescopes and we see the same laws out there as here"
    )
    readable = rd.segment(text)
    labels = infer_speakers(text, readable)
    assert len(labels.labels) == len(readable.paragraphs) + len(labels.breaks)
    labelled = labels.labelled(readable)
    assert [p.speaker for p in labelled.paragraphs] == list(labels.labels)
    assert labels.labels[0] == "John Smith"
    assert set(labels.labels) <= {"John Smith", "Jane Doe"}


def test_sentence_pass_splits_a_paragraph_where_the_speaker_changes() -> None:
    # two paragraphs: a host question, then a guest answer whose last two sentences are a host follow-up
    # the paragraph threshold missed (a weak turn logit inside the paragraph); the paragraph evidence is the
    # guest's, but the sentence pass sees the follow-up and splits the paragraph there
    logits = [4.0, -3.0, -3.0, -3.0, -3.0, 4.0, 4.0]
    turns = [0.0, 3.0, -4.0, -4.0, -4.0, 0.5, -4.0]
    bounds = [0, 5, 20, 35, 50, 65, 70, 75]
    norm = [f"w{i}" for i in range(75)]
    params = {**toy_model().params, "split_shift": -2.0}
    units, prob = decode_speakers(logits, turns, bounds, [0, 1], norm, {**params, "split_turns": 0.0})
    assert units == [0, 1] and prob[0] > 0.5 > prob[1]
    units, prob = decode_speakers(logits, turns, bounds, [0, 1], norm, {**params, "split_turns": 1.0})
    assert units == [0, 1, 5]
    assert prob[0] > 0.5 > prob[1] and prob[2] > 0.5
    # a paragraph whose sentences agree is left whole, with its own probability
    logits = [4.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0]
    units, _ = decode_speakers(logits, turns, bounds, [0, 1], norm, {**params, "split_turns": 1.0})
    assert units == [0, 1]


def test_with_speakers_splits_at_the_breaks() -> None:
    text, readable = punctuated(["He asks a thing.", "She answers it. He asks more. She answers again."])
    second = readable.paragraphs[1].sentences
    labelled = readable.with_speakers(["Host", "Guest", "Host", "Guest"], [second[1].start, second[2].start])
    assert [p.speaker for p in labelled.paragraphs] == ["Host", "Guest", "Host", "Guest"]
    assert [text[p.start : p.end] for p in labelled.paragraphs] == [
        "He asks a thing.",
        "She answers it.",
        "He asks more.",
        "She answers again.",
    ]
    assert labelled.paragraphs[0] == readable.paragraphs[0].__class__(
        readable.paragraphs[0].start, readable.paragraphs[0].end, readable.paragraphs[0].sentences, "Host"
    )
    with pytest.raises(ValueError):
        readable.with_speakers(["Host", "Guest"], [second[1].start])


COLD_OPEN = "i think the universe is a kind of miracle and we can write it down"


def test_find_introduction_after_a_cold_open() -> None:
    norm = (COLD_OPEN + " " + INTRO.lower() + " so what do you think").split()
    start, end = find_introduction(norm)  # type: ignore[misc]
    assert norm[start : start + 4] == ["the", "following", "is", "a"]
    assert start == len(COLD_OPEN.split())
    assert norm[end] == "here's" and norm[end - 3 : end] == ["now", "dear", "friends"]
    # a short introduction without a handover ends at "… on this the … podcast"
    short = "the following is a conversation with jane doe on this the john smith podcast so why".split()
    assert find_introduction(short) == (0, short.index("podcast"))
    assert find_introduction("so what do you think about the conversation with her".split()) is None


def test_sentence_place_is_relative_to_the_introduction() -> None:
    # sentences: a cold open, the introduction (two sentences, the second with the handover), then the
    # host's question and the answer's sentences
    sentences = [
        COLD_OPEN,
        "the following is a conversation with jane doe a physicist",
        "this is the john smith podcast and now here's jane doe",
        "so what do you think",
        "well i think it is",
        "and it is",
        "yes it is",
        "and so on",
        "it goes on",
    ]
    norm = " ".join(sentences).split()
    starts = [sum(len(x.split()) for x in sentences[:k]) for k in range(len(sentences))]
    assert introduction_places(norm, starts) == ["pre", "in", "in", "a1", "a2", "a3", "a4", "late", "late"]
    assert opening_sentences(norm, starts) == 1  # the cold open; the introduction starts there
    rows = sentence_feature_rows(norm, starts, [0.0] * len(starts))
    places = [[f for f in row if f.startswith(("ip=", "pos="))] for row in rows]
    assert places == [["ip=pre"], ["ip=in"], ["ip=in"], ["ip=a1"], ["ip=a2"], ["ip=a3"], ["ip=a4"], [], []]
    # without an introduction the place is the share of the episode, as before (the rest: no feature)
    rows = sentence_feature_rows(norm[len(COLD_OPEN.split()) + 3 :], [0, 5], [0.0, 0.0])
    assert [f for f in rows[0] if f.startswith("pos=")] == ["pos=0"]


def test_adaptation_can_leave_out_the_cold_open() -> None:
    # a cold open whose sentence evidence is the guest's, then the host's introduction: the cold open's
    # phrasing is said nowhere else, and unseen word pairs lean to the voice with fewer words (the host),
    # which pulls the cold open to the host; left out of the adaptation it stays the guest's
    cold = [f"c{i}" for i in range(60)]
    host = ["what", "do", "you", "think", "about", "that"]
    guest = [w for k in range(20) for w in ("you", "know", "i", "sort", "of", "think", f"g{k}")]
    words = cold + host * 3 + guest + host + guest
    logits = [-3.0, 6.0, -3.0, 4.0, -3.0]
    bounds = [0, 60, 78, 78 + len(guest), 84 + len(guest), len(words)]
    turns = [0.0, -1.0, 3.0, 3.0, 3.0]
    params = {
        **toy_model().params,
        "prior": 0.0,
        "evidence": 1.0,
        "adapt_weight": 0.5,
        "adapt_rounds": 3.0,
        "adapt_ngrams": 2.0,
    }
    _, prob = decode_speakers(logits, turns, bounds, [0, 1, 2, 3, 4], words, params, opening=1)
    _, skipped = decode_speakers(
        logits, turns, bounds, [0, 1, 2, 3, 4], words, {**params, "adapt_skip_opening": 1.0}, opening=1
    )
    assert prob[0] > 0.5 > skipped[0]
    assert skipped[1] > 0.5 > skipped[2]


def test_shipped_model_gives_a_cold_open_to_the_guest() -> None:
    # the guest's quote before the host's introduction (a cold open) is the guest's, the introduction and the
    # first question the host's, the answer the guest's
    text, readable = punctuated(
        [
            "If we now find ourselves inside a world of illusions created by an alien intelligence that we "
            "don't understand, but it understands us, this is a kind of spiritual enslavement that we won't "
            "be able to break out of.",
            "The following is a conversation with Jane Doe, a physicist at the University of Nowhere. This is "
            "the John Smith podcast, and now, dear friends, here's Jane Doe.",
            "So what do you think is the most beautiful idea in physics, and why do people find it so hard "
            "to understand?",
            "Well, I think the most beautiful idea is that the universe is comprehensible at all. It's kind "
            "of a miracle that we can write down equations and they work, and I've spent my whole career "
            "being amazed by that.",
        ]
    )
    labels = infer_speakers(text, readable)
    assert labels.labels == ("Jane Doe", "Host", "Host", "Jane Doe")


def test_shipped_model_on_the_seed_opening() -> None:
    # the bundled interview: the introduction and the first question are the host's; inside the guest's
    # first answer, "it's awesome" ("… get into martial arts and it's um it's awesome") is the guest's
    from desktop_app.paths import resource_path

    text = resource_path("transcripts", "lex-383-mark-zuckerberg.txt").read_text(encoding="utf-8")
    readable = rd.segment(text)
    labelled = infer_speakers(text, readable).labelled(readable)
    opening = [(p.speaker, text[p.start : p.end]) for p in labelled.paragraphs[:20]]
    host = [s for s, t in opening if t.startswith(("the following is", "so I gotta ask"))]
    assert host == ["Host", "Host"]
    assert [s for s, t in opening if t.startswith("it's awesome")] == ["Mark Zuckerberg"]


def test_find_introduction_handover_variants_and_limits() -> None:
    norm = "so yes this is my conversation with jane doe and now here is jane so".split()
    assert find_introduction(norm) == (2, norm.index("here"))  # "here is" hands over like "here's"
    # neither a handover nor "this … podcast": the introduction is its first word
    assert find_introduction("the following is an interview with jane doe who".split()) == (0, 0)
    # an introduction is looked for in the opening only
    late = ["so"] * INTRO_SEARCH_WORDS + "the following is a conversation with jane".split()
    assert find_introduction(late) is None
    assert find_introduction([]) is None


def test_intro_change_sets_the_change_rate_where_the_introduction_starts() -> None:
    # a cold open (one sentence) then the introduction, whose turn logit says "no change"; the learned
    # change rate there (``intro_change``) overrides it, only at the introduction's start
    logits = [0.5, 0.5, 0.5]
    turns = [0.0, -8.0, -8.0]
    bounds = [0, 3, 6, 9]
    words = ["w"] * 9
    params = {**toy_model().params, "intro_change": 8.0}
    _, kept = decode_speakers(logits, turns, bounds, [0, 1, 2], words, {**params, "intro_change": 0.0}, 1)
    _, changed = decode_speakers(logits, turns, bounds, [0, 1, 2], words, params, opening=1)
    _, no_opening = decode_speakers(logits, turns, bounds, [0, 1, 2], words, params, opening=0)
    assert abs(kept[0] - kept[1]) < 0.01  # one speaker throughout
    assert changed[0] < 0.5 < changed[1]  # the speaker changes where the introduction starts
    assert abs(changed[1] - changed[2]) < 0.01  # and nowhere else
    assert no_opening == kept


@pytest.mark.parametrize(
    "opening",
    [
        "hello and welcome my special guest United States Senator Bernie Sanders is here with us",
        "today our guest is New York Times bestselling author Jane Doe and we talk about books",
        "so I have Google Docs with me open here with the notes for today",
    ],
)
def test_guest_patterns_do_not_take_other_capitalised_words_for_a_name(opening: str) -> None:
    """Such a "name" is also kept out of every outline title (``outline.opening_names``): "United States",
    "New York Times" or "Google Docs" could then title no chapter."""
    assert find_names(opening).guest in (None, "Bernie Sanders", "Jane Doe")


def test_who_says_my_name_is_the_guest_is_the_guest() -> None:
    """A guest's self-introduction labelled as the host's: that paragraph and the rest of the run are the
    guest's, up to the guest's next paragraph."""
    from desktop_app.speakers.inference import _own_introduction

    paragraphs = [
        "Hello, today I'm talking to Yuri Malkov. ",
        "How are you doing? ",
        "So yeah, my name is Yuri Malkov. ",
        "I'm working at Twitter. ",
        "The views are my own. ",
        "Great, so tell me about graphs. ",
    ]
    text = "".join(paragraphs)
    starts = [text.index(p) for p in paragraphs]
    labels = ["Host", "Host", "Host", "Host", "Yuri Malkov", "Host"]
    _own_introduction(text, starts, labels, "Yuri Malkov", "Yuri Malkov", "Host")
    assert labels == ["Host", "Host", "Yuri Malkov", "Yuri Malkov", "Yuri Malkov", "Host"]
    unchanged = ["Host", "Host", "Yuri Malkov", "Host", "Yuri Malkov", "Host"]
    _own_introduction(text, starts, unchanged, "Yuri Malkov", "Yuri Malkov", "Host")  # already the guest's
    assert unchanged == ["Host", "Host", "Yuri Malkov", "Host", "Yuri Malkov", "Host"]
    talking = ["Guest", "Host"]  # "I'm talking to NAME" is not "I'm NAME"
    _own_introduction(
        "I'm talking to Yuri Malkov. Hi. ", [0, 28], talking, "Yuri Malkov", "Yuri Malkov", "Guest"
    )
    assert talking == ["Guest", "Host"]
