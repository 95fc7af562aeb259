"""Title pieces of the outline: template titles, what is talked about, the fixed training split."""

from __future__ import annotations

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
