"""The boundary trainer's speaker-turn features (desktop_app.training.outline_boundary): turns from labelled
paragraphs, the host found by who says less, per-unit nearness features, and the app's columns kept apart."""

from __future__ import annotations

import math

import numpy as np

from desktop_app.outline import chapters as outline
from desktop_app.training import outline_boundary as trainer


def test_speaker_turns_join_paragraphs_and_find_the_host() -> None:
    paragraphs = [
        (0, 40, "Lex"),  # a question
        (40, 400, "Guest"),  # a long answer in two paragraphs
        (400, 900, "Guest"),
        (900, 920, None),  # unlabelled: joins the answer
        (920, 960, "Lex"),
        (960, 1500, "Guest"),
    ]
    turns = trainer.speaker_turns(paragraphs)
    assert turns == [(0, 40, True), (40, 920, False), (920, 960, True), (960, 1500, False)]


def test_speaker_turns_need_two_speakers() -> None:
    assert trainer.speaker_turns([(0, 10, "Host"), (10, 20, "Host")]) == []
    assert trainer.speaker_turns([(0, 10, None), (10, 20, None)]) == []
    assert trainer.speaker_turns([]) == []


def test_turn_words_maps_offsets_to_word_indices() -> None:
    spans = [(i * 5, i * 5 + 4) for i in range(10)]  # words at 0, 5, 10, ...
    assert trainer.turn_words([(0, 15, True), (15, 50, False), (50, 50, True)], spans) == [
        (0, 3, True),
        (3, 10, False),
    ]


def test_turn_features_mark_units_near_host_turns() -> None:
    # guest 0-100, host 100-130 (30 words), guest 130-400, host 400-405, guest 405-600
    turns = [(0, 100, False), (100, 130, True), (130, 400, False), (400, 405, True), (405, 600, False)]
    units = [0, 50, 100, 110, 300, 390]
    f = trainer.turn_features(turns, units)
    assert f.shape == (len(units), trainer.N_TURN_FEATURES)
    assert np.all(f[0] == 0.0)  # the first unit never counts
    assert f[2, 0] == 1.0  # a host turn starts exactly here
    assert math.isclose(f[3, 0], 1.0 - 10 / trainer.TURN_NEAR)
    assert f[1, 0] == 0.0 and f[4, 0] == 0.0  # far from every host turn
    assert math.isclose(f[2, 1], math.log1p(30))  # the host turn's length
    assert math.isclose(f[2, 2], math.log1p(100))  # the guest's answer before it
    assert math.isclose(f[5, 2], 0.5 * math.log1p(270))
    assert f[3, 3] == 0.0  # the guest turn at 130 is TURN_NEAR words from 110
    assert math.isclose(f[5, 3], 1.0 - 15 / trainer.TURN_NEAR)  # guest turn at 405, 15 words after 390


def test_turn_features_without_speakers_are_zeros() -> None:
    assert not trainer.turn_features([], [0, 20, 40]).any()
    host_only = trainer.turn_features([(0, 100, True)], [0, 20])
    assert host_only.shape == (2, trainer.N_TURN_FEATURES)


def test_app_columns_are_the_shipped_model() -> None:
    assert trainer.FEATURE_SETS["all"] == list(range(len(outline.BOUNDARY_COEF)))
    assert trainer.N_APP_FEATURES == len(outline.BOUNDARY_COEF)
    coef = np.r_[np.arange(trainer.N_APP_FEATURES) / 10.0, np.ones(trainer.N_TURN_FEATURES)]
    written = trainer.format_coef(coef)
    assert (
        written.count(",") == trainer.N_APP_FEATURES - 1
    )  # the turn columns are never written to chapters.py
