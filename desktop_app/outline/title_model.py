"""The learned title ranker: its coefficients and word tables (``resources/models/outline_titles.json.gz``,
fitted by ``desktop_app/training/outline_titles.py --refit`` on the fitting and selection splits of the
training corpus with the settings chosen on selection, target: the content-word F1 between a candidate phrase
and the human title), and the choice of one title per section.

``learned_titles`` scores every candidate of every section (``title_candidates.candidate_features``); a
greedy pass gives each section its best phrase that no other section has taken. With a ``split_share`` (the
model file's, absent in the shipped one: off), a section at least that many times the outline's mean section
length is scored as its two halves and titled "A and B" by their phrases (the app's long sections often hold
two human chapters); tried in session 11 and not shipped (``training/outline_titles.py``).

The model file says which form the ranker has (``"form"``): ``"linear"`` (the default, and what files without
the key are) scores a candidate by a weighted sum of its standardised features; ``"hidden"`` adds a small
hidden layer (``tanh`` or ``relu`` units) whose weighted outputs join that sum (numpy only).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop_app.outline.title_candidates import FEATURES, MAX_PHRASE, _says, candidate_features, template_key
from desktop_app.outline.title_semantic import SEMANTIC_FEATURES
from desktop_app.outline.title_words import _CONNECTORS, cased, stem
from desktop_app.paths import resource_path

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from desktop_app.outline.title_semantic import TitleSemantics

logger = logging.getLogger(__name__)

TITLES_FILE = ("models", "outline_titles.json.gz")
REFINED_TITLES_FILE = ("models", "outline_titles_refined.json.gz")
"""The refined outline's ranker: ``FEATURES`` and then ``title_semantic.SEMANTIC_FEATURES``."""
TOP_CANDIDATES = 12
ACTIVATIONS = ("tanh", "relu")
HALVES_MARGIN = 2.0  # the halves' phrases join only when their scores are this close (chosen on selection)
SPLIT_MIN_SECTIONS = 3  # an outline of fewer sections has no mean length to call a section long by


class HiddenLayer:
    """The optional hidden layer of the ranker: ``out . act(W x + b)`` on the standardised features ``x``."""

    def __init__(
        self,
        weights: Sequence[Sequence[float]] | np.ndarray,
        bias: Sequence[float] | np.ndarray,
        out: Sequence[float] | np.ndarray,
        activation: str = "tanh",
    ):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}")
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.out = np.asarray(out, dtype=np.float64)
        self.activation = activation
        units = len(self.out)
        if self.weights.ndim != 2 or self.weights.shape[0] != units or self.bias.shape != (units,):
            raise ValueError("hidden layer shapes do not agree")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The layer's contribution to the score of each row of ``x`` (standardised features)."""
        h = x @ self.weights.T + self.bias
        act = np.tanh(h) if self.activation == "tanh" else np.maximum(h, 0.0)
        return act @ self.out

    def to_json(self) -> dict[str, Any]:
        """The layer as the model file stores it."""
        return {
            "activation": self.activation,
            "weights": [[round(float(v), 5) for v in row] for row in self.weights],
            "bias": [round(float(v), 5) for v in self.bias],
            "out": [round(float(v), 5) for v in self.out],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HiddenLayer:
        """Inverse of :meth:`to_json`."""
        return cls(data["weights"], data["bias"], data["out"], str(data.get("activation", "tanh")))


class TitleModel:
    """Coefficients of the candidate scorer and the word tables it reads (title prior, commonness)."""

    def __init__(
        self,
        coef: Sequence[float],
        bias: float,
        mean: Sequence[float],
        scale: Sequence[float],
        prior: dict[str, float],
        common: dict[str, float],
        prior_default: float,
        common_default: float,
        pair_margin: float | None = None,
        noun: dict[str, float] | None = None,
        templates: dict[str, tuple[float, float]] | None = None,
        hidden: HiddenLayer | None = None,
        split_share: float | None = None,
    ):
        self.coef, self.bias = list(coef), float(bias)
        self.hidden = hidden
        self.mean, self.scale = list(mean), list(scale)
        self._coef, self._mean, self._scale = (np.asarray(v, dtype=np.float64) for v in (coef, mean, scale))
        self.prior, self.common = prior, common
        self.prior_default, self.common_default = prior_default, common_default
        self.pair_margin = pair_margin
        self.split_share = split_share
        self.noun = noun or {}
        self.templates = templates or {}

    @property
    def semantic(self) -> bool:
        """Whether the ranker reads ``SEMANTIC_FEATURES`` after ``FEATURES`` (the refined outline's)."""
        return len(self.mean) == len(FEATURES) + len(SEMANTIC_FEATURES)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TitleModel:
        """The ranker saved by the title trainer; ValueError when its features are not this version's."""
        features = list(data["features"])
        if features not in (list(FEATURES), [*FEATURES, *SEMANTIC_FEATURES]):
            raise ValueError("title model features do not match this version")
        form = data.get("form", "linear")
        if form not in ("linear", "hidden"):
            raise ValueError(f"unknown title model form {form!r}")
        hidden = HiddenLayer.from_json(data["hidden"]) if form == "hidden" else None
        if any(len(data[k]) != len(features) for k in ("coef", "mean", "scale")):
            raise ValueError("title model coefficients do not match the features")
        if hidden is not None and hidden.weights.shape[1] != len(features):
            raise ValueError("title model hidden layer does not match the features")
        return cls(
            data["coef"],
            data["bias"],
            data["mean"],
            data["scale"],
            data["prior"],
            data["common"],
            data["prior_default"],
            data["common_default"],
            data.get("pair_margin"),
            data["noun"],
            {k: (float(v[0]), float(v[1])) for k, v in data.get("templates", {}).items()},
            hidden,
            data.get("split_share"),
        )

    @property
    def form(self) -> str:
        """``"hidden"`` with a hidden layer, else ``"linear"`` (the model file's ``"form"``)."""
        return "linear" if self.hidden is None else "hidden"

    def score_many(self, feats: Sequence[Sequence[float]]) -> np.ndarray:
        """Scores of many feature rows at once."""
        x = (np.asarray(feats, dtype=np.float64).reshape(-1, len(self._mean)) - self._mean) / self._scale
        z = x @ self._coef + self.bias
        if self.hidden is not None:
            z = z + self.hidden(x)
        return z

    def score(self, feats: Sequence[float]) -> float:
        """The logit of one candidate phrase from its features."""
        return float(self.score_many([feats])[0])


_title_models: dict[bool, TitleModel | None] = {}
_title_lock = threading.Lock()


def get_title_model(refined: bool = False) -> TitleModel | None:
    """The bundled title model (loaded once), or None when it is missing or unreadable; ``refined``: the
    refined outline's (``REFINED_TITLES_FILE``), whose rows end with ``SEMANTIC_FEATURES``."""
    with _title_lock:
        if refined not in _title_models:
            path = resource_path(*(REFINED_TITLES_FILE if refined else TITLES_FILE))
            model = None
            try:
                with gzip.open(path, "rt", encoding="utf-8") as fh:
                    model = TitleModel.from_json(json.load(fh))
                if model.semantic != refined:
                    raise ValueError("its features are not the ones this outline gives")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                logger.warning("outline title model %s unavailable (%s)", path.name, exc)
                model = None
            _title_models[refined] = model
        return _title_models[refined]


@contextlib.contextmanager
def title_model_as(model: TitleModel | None, refined: bool = False) -> Iterator[None]:
    """Title with ``model`` instead of the bundled one while the block runs (training and benchmarks)."""
    get_title_model(refined)
    with _title_lock:
        saved, _title_models[refined] = _title_models[refined], model
    try:
        yield
    finally:
        with _title_lock:
            _title_models[refined] = saved


def learned_titles(
    words: Sequence[str],
    forms: dict[str, str],
    sections: Sequence[tuple[int, int]],
    model: TitleModel,
    banned: frozenset[str] = frozenset(),
    pair_margin: float | None = None,
    split_share: float | None = None,
    semantic: TitleSemantics | None = None,
) -> list[str | None]:
    """Each section's best candidate phrase that no other section has taken (None: no candidate).

    With a ``pair_margin`` (default: the model's), a second phrase scoring within that margin of the first
    and sharing no word with it joins it ("Open source and Llama"), at most ``MAX_PHRASE`` words in all and
    one "and" (never "Humor and WhatsApp and Signal").
    A section at least ``split_share`` times as long as the outline's mean section (default: the model's;
    None: never) is titled by the best phrase of each of its halves, joined ("Tesla and Neuralink"): a long
    section often holds two of the chapters a person would have made, and its title then names both.
    ``semantic``: the episode's contextual view, required by a model that reads ``SEMANTIC_FEATURES``."""
    if model.semantic and semantic is None:
        raise ValueError("this title model reads the contextual encoder's columns: pass semantic")
    margin = model.pair_margin if pair_margin is None else pair_margin
    share = model.split_share if split_share is None else split_share
    mean_len = sum(b - a for a, b in sections) / max(len(sections), 1)
    split = (
        share * mean_len if share is not None and share > 0 and len(sections) >= SPLIT_MIN_SECTIONS else None
    )
    pieces, owner = _pieces(sections, split)
    table = candidate_features(words, forms, sections, model, banned=banned)
    if model.semantic and semantic is not None:
        table = semantic.extend(table, sections)
    if len(pieces) > len(sections):  # the halves are scored against the other halves and sections
        halves = candidate_features(words, forms, pieces, model, banned=banned)
        if model.semantic and semantic is not None:
            halves = semantic.extend(halves, pieces)
        parts = Counter(owner)
        table = [halves[p_i] if parts[s_i] > 1 else table[s_i] for p_i, s_i in enumerate(owner)]
    per_piece: list[list[tuple[float, tuple[str, ...]]]] = []
    ranked: list[tuple[float, int, tuple[str, ...]]] = []
    for p_i, rows in enumerate(table):
        values = model.score_many([f for _key, f in rows]) if rows else np.zeros(0)
        scored = sorted(
            ((float(v), key) for v, (key, _f) in zip(values, rows, strict=True)), key=lambda x: (-x[0], x[1])
        )
        per_piece.append(scored[:TOP_CANDIDATES])
        ranked += [(sc, p_i, key) for sc, key in scored[:TOP_CANDIDATES]]
    ranked.sort(key=lambda x: (-x[0], x[1], x[2]))
    chosen: list[tuple[float, tuple[str, ...]] | None] = [None] * len(pieces)
    used: set[frozenset[str]] = set()
    for sc, p_i, key in ranked:
        if chosen[p_i] is not None:
            continue
        stems = _key_stems(key)
        if stems in used:
            continue
        used.add(stems)
        chosen[p_i] = (sc, key)
    # a second phrase may name no other chapter's topic, and joins one title only ("... and AI" once)
    taken = set().union(*used) if used else set()
    shown = {template_key(t): t for t in model.templates}
    out: list[str | None] = []
    for s_i in range(len(sections)):
        mine = [p_i for p_i, o in enumerate(owner) if o == s_i]
        if len(mine) > 1:
            out.append(_halves_title([chosen[p_i] for p_i in mine], forms, shown))
            continue
        pick = chosen[mine[0]]
        if pick is None:
            out.append(None)
            continue
        sc, key = pick
        title = shown.get(key) or _phrase_title(key, forms)
        if margin is not None and margin >= 0:
            for sc2, key2 in per_piece[mine[0]]:
                if sc2 < sc - margin:
                    break
                stems2 = _key_stems(key2)
                if (
                    stems2 & taken
                    or key in shown
                    or key2 in shown
                    or len(key) + len(key2) > MAX_PHRASE
                    or "and" in key + key2  # one "and" per title: not "Humor and WhatsApp and Signal"
                    or min(model.noun.get(key[-1], 0.0), model.noun.get(key2[-1], 0.0)) < 0
                    or _one_phrase(words, sections[s_i], key, key2)
                ):
                    continue  # "Open source and Llama", not "Martial and train" or "Existential and risks"
                taken |= stems2
                title = f"{title} and {_phrase_title(key2, forms, first=False)}"
                break
        out.append(title)
    return out


def _pieces(
    sections: Sequence[tuple[int, int]], split: float | None
) -> tuple[list[tuple[int, int]], list[int]]:
    """The spans titles are chosen for: each section, or its two halves when it has at least ``split``
    words; and the section each span belongs to."""
    pieces: list[tuple[int, int]] = []
    owner: list[int] = []
    for s_i, (a, b) in enumerate(sections):
        if split is not None and b - a >= split and b - a >= 2:
            mid = a + (b - a) // 2
            pieces += [(a, mid), (mid, b)]
            owner += [s_i, s_i]
        else:
            pieces.append((a, b))
            owner.append(s_i)
    return pieces, owner


def _halves_title(
    picks: Sequence[tuple[float, tuple[str, ...]] | None],
    forms: dict[str, str],
    shown: dict[tuple[str, ...], str],
) -> str | None:
    """One title of the phrases picked for a section's halves: "A and B" when they fit in ``MAX_PHRASE``
    words, share no word, hold no "and" of their own and score within ``HALVES_MARGIN`` of each other, else
    the better scored of them (a half without a phrase leaves the other's)."""
    got = [pick for pick in picks if pick is not None]
    if not got:
        return None
    keys = [key for _sc, key in got]
    if (
        len(keys) == 1
        or "and" in keys[0] + keys[1]
        or _key_stems(keys[0]) & _key_stems(keys[1])
        or len(keys[0]) + len(keys[1]) > MAX_PHRASE
        or abs(got[0][0] - got[1][0]) > HALVES_MARGIN
    ):
        key = max(got, key=lambda pick: pick[0])[1]
        return shown.get(key) or _phrase_title(key, forms)
    first, key = keys
    second = shown.get(key)
    second = _lower_first(second, forms) if second else _phrase_title(key, forms, first=False)
    return f"{shown.get(first) or _phrase_title(first, forms)} and {second}"


def _lower_first(title: str, forms: dict[str, str]) -> str:
    """A template title as the second part of a joined title: its first word lowercase unless a name."""
    head, _sep, rest = title.partition(" ")
    low = head.lower()
    shown = cased(forms.get(low, low))
    word = shown if shown.lower() == low else head
    return f"{word} {rest}" if rest else word


def _one_phrase(
    words: Sequence[str], span: tuple[int, int], key: tuple[str, ...], key2: tuple[str, ...]
) -> bool:
    """Whether the two phrases are said one after the other in the section ("existential risks"): one phrase
    cut in two, not two topics."""
    a, b = span
    return any(_says(words, a, b, k) for k in (key + key2, key2 + key))


def _key_stems(key: tuple[str, ...]) -> frozenset[str]:
    """The phrase's content words as one topic: stems, with a plural "s" the stemmer keeps dropped too
    ("CPUs" and "CPU", "GPUs" and "GPU" are one word in a title)."""
    return frozenset(_same_word(w) for w in key if w not in _CONNECTORS)


def _same_word(word: str) -> str:
    root = stem(word)
    return root[:-1] if len(root) > 2 and root.endswith("s") and not root.endswith("ss") else root


def _phrase_title(key: tuple[str, ...], forms: dict[str, str], first: bool = True) -> str:
    shown = " ".join(w if w in _CONNECTORS else cased(forms.get(w, w)) for w in key)
    return shown[0].upper() + shown[1:] if first else shown
