"""Title pieces of the outline: template titles, what is talked about, the fixed training split."""

from __future__ import annotations

from typing import Any

from desktop_app.outline import title_candidates as candidates
from desktop_app.outline.title_model import get_title_model
from desktop_app.outline.title_words import normalize, title_stems
from desktop_app.training import outline_data


def _words(text: str) -> list[str]:
    return [normalize(t) for t in text.split()]


def test_template_matches_where_every_content_word_is_said() -> None:
    words = _words(
        "what advice would you give to young people today young people should work hard "
        "and now the weather is nice and the sun shines on the hills"
    )
    templates = {"Advice for young people": (2.0, 0.9), "Meaning of life": (1.5, 0.95)}
    (found, (feats, said)), (found2, _f2) = candidates._template_matches(
        words, [(0, 15), (15, len(words))], templates, frozenset()
    )
    key = candidates.template_key("Advice for young people")
    assert key in found and key in feats
    assert found[key][0] == 1  # "advice" is said once: the least said of its words
    assert key not in said  # not word for word
    assert candidates.template_key("Meaning of life") not in found
    assert not found2


def test_template_with_a_speaker_name_is_never_a_candidate() -> None:
    words = _words("elon musk said the rocket would fly and elon musk was right")
    got = candidates._template_matches(
        words, [(0, len(words))], {"Elon Musk": (2.0, 0.5)}, frozenset({"elon", "musk"})
    )
    assert got[0][0] == {}


def test_words_after_about_are_what_is_talked_about() -> None:
    words = _words("let me ask you about the metaverse and speaking of open source we talk a lot")
    about = candidates._after_about(words, 0, len(words))
    assert about["metaverse"] == 1 and about["open"] == 1
    assert about["lot"] == 0


def test_title_stems_match_the_scorer() -> None:
    assert title_stems("Advice for young people") == frozenset({"advic", "young", "peopl"})
    assert title_stems("The meaning of life") == frozenset({"mean", "lif"})


def test_bundled_title_model_has_templates_of_at_most_five_words() -> None:
    model = get_title_model()
    assert model is not None
    assert model.templates
    for title, (popularity, position) in model.templates.items():
        assert 1 <= len(title.split()) <= 5 and "," not in title, title
        assert popularity > 0 and 0.0 <= position <= 1.0


def test_split_rules_are_fixed_and_disjoint() -> None:
    slugs = [f"lex-{i}-someone" for i in range(300)]
    parts = [outline_data.part_of(s) for s in slugs]
    assert parts == [outline_data.part_of(s) for s in slugs]
    assert {"fit", "validation", "heldout"} == set(parts)
    for s in slugs:
        assert not (outline_data.is_validation(s) and outline_data.is_heldout(s))
    assert 0.15 < parts.count("heldout") / len(parts) < 0.28


def _model_json(form: str | None) -> dict[str, Any]:
    import numpy as np

    n = len(candidates.FEATURES)
    data: dict[str, Any] = {
        "features": list(candidates.FEATURES),
        "coef": [0.5] + [0.0] * (n - 1),
        "bias": 0.0,
        "mean": [0.0] * n,
        "scale": [1.0] * n,
        "prior": {},
        "common": {},
        "prior_default": -2.0,
        "common_default": -3.0,
        "noun": {},
    }
    if form is not None:
        data["form"] = form
    if form == "hidden":
        w = np.zeros((2, n))
        w[0, 1] = 1.0
        w[1, 2] = -1.0
        data["hidden"] = {"activation": "tanh", "weights": w.tolist(), "bias": [0.0, 0.5], "out": [2.0, 1.0]}
    return data


def test_linear_title_model_files_still_load() -> None:
    from desktop_app.outline.title_model import TitleModel

    for form in (None, "linear"):
        model = TitleModel.from_json(_model_json(form))
        assert model.form == "linear" and model.hidden is None
        row = [1.0] * len(candidates.FEATURES)
        assert abs(model.score(row) - 0.5) < 1e-12


def test_hidden_title_model_adds_its_layer() -> None:
    import math

    import pytest

    from desktop_app.outline.title_model import HiddenLayer, TitleModel

    data = _model_json("hidden")
    model = TitleModel.from_json(data)
    assert model.form == "hidden" and model.hidden is not None
    row = [0.0] * len(candidates.FEATURES)
    row[0], row[1], row[2] = 1.0, 0.3, 0.2
    want = 0.5 + 2.0 * math.tanh(0.3) + 1.0 * math.tanh(-0.2 + 0.5)
    assert abs(model.score(row) - want) < 1e-12
    assert abs(float(model.score_many([row, row])[1]) - want) < 1e-12
    again = HiddenLayer.from_json(model.hidden.to_json())
    assert again.activation == "tanh" and again.weights.shape == (2, len(candidates.FEATURES))
    with pytest.raises(ValueError):
        TitleModel.from_json(data | {"form": "forest"})
    with pytest.raises(ValueError):
        TitleModel.from_json(data | {"hidden": data["hidden"] | {"weights": [[1.0]] * 2}})


def test_a_stutter_of_the_captions_is_no_title_candidate() -> None:
    from desktop_app.outline.title_candidates import _candidates

    words = "we talked about ai ai systems and robots robots today".split()
    per, _total = _candidates(words, [(0, len(words))], frozenset())
    assert all(not any(a == b for a, b in zip(phrase, phrase[1:], strict=False)) for phrase in per[0]), per[0]
    assert ("ai", "systems") in per[0]


def test_a_phrase_never_names_one_word_twice() -> None:
    """A phrase such as "GPT-4 to GPT-4" (from "from gpt-4 to gpt-4 and beyond") is no title."""
    from desktop_app.outline.title_candidates import _candidates

    words = "from gpt-4 to gpt-4 and the future of gpt-4 models".split()
    per, _total = _candidates(words, [(0, len(words))], frozenset())
    assert all(len(set(phrase)) == len(phrase) for phrase in per[0]), per[0]
    assert ("gpt-4",) in per[0] and ("future", "of", "gpt-4") in per[0]


def test_titles_of_lowercase_captions_take_the_usual_capitals_of_names_and_acronyms() -> None:
    """Old automatic captions are all lowercase; a title shows "MDMA and LSD", not "Mdma and lsd"."""
    from desktop_app.outline.title_model import _phrase_title
    from desktop_app.outline.title_words import cased

    assert cased("mdma") == "MDMA"
    assert cased("Meta") == "Meta"  # the transcript's own capitals win
    assert cased("source") == "source"  # ordinary words stay as written
    forms = {"mdma": "mdma", "lsd": "lsd", "ted": "ted"}
    assert _phrase_title(("mdma", "and", "lsd"), forms) == "MDMA and LSD"
    assert _phrase_title(("ted",), forms) == "Ted"


def _halves_text() -> tuple[list[str], list[tuple[int, int]]]:
    """Two short sections and a long one whose halves are about different things."""
    parts = [("the physics is it " * 25).split(), ("the music is it " * 25).split()]
    parts += [("we chess so it " * 40).split() + ("we poetry so it " * 35).split()]
    words: list[str] = []
    sections = []
    for p in parts:
        sections.append((len(words), len(words) + len(p)))
        words += p
    return words, sections


def test_a_long_section_is_titled_by_the_phrases_of_its_halves() -> None:
    """A section much longer than the others often holds two chapters: its title names both halves."""
    from desktop_app.outline.title_model import TitleModel, learned_titles

    words, sections = _halves_text()
    forms = {w: w for w in set(words)}
    model = TitleModel.from_json(_model_json(None) | {"split_share": 1.0})
    assert model.split_share == 1.0
    assert learned_titles(words, forms, sections, model) == ["Physics", "Music", "Chess and poetry"]
    assert learned_titles(words, forms, sections, model, split_share=-1.0)[2] in ("Chess", "Poetry")
    assert TitleModel.from_json(_model_json(None)).split_share is None  # older files: never split
    # an outline of two sections has no mean length to call one of them long
    two = [(0, sections[1][1]), (sections[1][1], len(words))]
    assert " and " not in (learned_titles(words, forms, two, model)[1] or "")


def test_halves_that_do_not_fit_one_title_give_the_better_scored_phrase() -> None:
    from desktop_app.outline.title_model import _halves_title

    forms = {"meta": "Meta"}
    shown = {("hiring", "a", "great", "team"): "Hiring a great team"}
    long_pick = (2.0, ("hiring", "a", "great", "team"))
    assert _halves_title([(1.0, ("meta",)), long_pick], forms, shown) == "Hiring a great team"
    assert _halves_title([(3.0, ("meta",)), long_pick], forms, shown) == "Meta"
    assert (
        _halves_title([(1.0, ("meta",)), (0.5, ("open", "source"))], forms, shown) == "Meta and open source"
    )
    # a half whose phrase scores far below the other's does not join it
    assert _halves_title([(1.0, ("meta",)), (-4.0, ("open", "source"))], forms, shown) == "Meta"
    assert _halves_title([None, (0.5, ("open", "source"))], forms, shown) == "Open source"
    assert _halves_title([None, None], forms, shown) is None


def test_a_plural_the_stemmer_keeps_is_the_same_topic_in_a_title() -> None:
    """A title does not name one topic twice ("CPUs and CPU"): an acronym's plural is the same word in a title."""
    from desktop_app.outline.title_model import _halves_title, _key_stems

    forms = {"cpus": "CPUs", "cpu": "CPU", "gpus": "GPUs"}
    assert _halves_title([(1.0, ("cpus",)), (0.9, ("cpu",))], forms, {}) == "CPUs"
    assert _halves_title([(1.0, ("cpus",)), (0.9, ("gpus",))], forms, {}) == "CPUs and GPUs"
    assert _key_stems(("gpus",)) == _key_stems(("gpu",))
    assert _key_stems(("class",)) != _key_stems(("clas",))


def test_a_title_joins_two_phrases_with_one_and_at_most() -> None:
    from desktop_app.outline.title_model import _halves_title

    forms = {"whatsapp": "WhatsApp", "signal": "Signal"}
    picks = [(1.0, ("humor",)), (0.9, ("whatsapp", "and", "signal"))]
    assert _halves_title(picks, forms, {}) == "Humor"
    assert _halves_title([(1.0, ("humor",)), (0.9, ("signal",))], forms, {}) == "Humor and Signal"


def test_a_title_that_ends_a_name_takes_the_name_from_its_start() -> None:
    from desktop_app.outline.titles import _with_name_start

    surface = "we talked of World War II and then World War II again and the war ended in Berlin".split()
    words = [normalize(t) for t in surface]
    span = (0, len(words))
    assert _with_name_start("War II", words, surface, span, frozenset()) == "World War II"
    assert (
        _with_name_start("War II and Berlin", words, surface, span, frozenset()) == "World War II and Berlin"
    )
    assert _with_name_start("War II", words, surface, span, frozenset({"world"})) == "War II"  # a speaker
    assert _with_name_start("Berlin", words, surface, span, frozenset()) == "Berlin"  # said once, after "in"
    lower = [w.lower() for w in surface]  # all-lowercase captions: no capitals to go by
    assert _with_name_start("War II", words, lower, span, frozenset()) == "War II"


def test_a_sentence_s_first_word_is_not_the_start_of_a_name() -> None:
    """Punctuated transcripts (Whisper, Otter) capitalise every sentence's first word: "In Python, …" twice
    is not the name "In Python" (the corpus's captions lower those capitals, so its figures could not show it)."""
    from desktop_app.outline.titles import _with_name_start

    surface = "We use it a lot. In Python, you write less. So that is it. In Python, lists are easy.".split()
    words = [normalize(t) for t in surface]
    assert _with_name_start("Python", words, surface, (0, len(words)), frozenset()) == "Python"
    surface = "Why? Because Twitter was there. And then? Because Twitter is big.".split()
    words = [normalize(t) for t in surface]
    assert _with_name_start("Twitter", words, surface, (0, len(words)), frozenset()) == "Twitter"
    surface = (
        "He fought in World War II. After World War II, he came home.".split()
    )  # mid-sentence still counts
    words = [normalize(t) for t in surface]
    assert _with_name_start("War II", words, surface, (0, len(words)), frozenset()) == "World War II"
