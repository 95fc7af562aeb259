"""Who speaks in an interview whose file names no speakers: a host or guest label for every paragraph (no Qt).

Each sentence gets a "the host says this" logit from a linear model over its words (questions, "do you
think", the host's introduction and sponsor reads…; ``resources/models/speakers.json.gz``, trained by
``desktop_app.training.train_speakers``). A two-state hidden Markov model over the paragraphs (host, guest)
then joins that evidence with the speaker-turn logit at each paragraph start (the readability model's, see
``Model.sentence_turn_logits``): a paragraph that starts a new turn likely changes the speaker, one that
continues a long answer likely does not. Forward-backward gives each paragraph's probability of being the
host's. Adaptation rounds then learn this episode's two voices: each paragraph's evidence gains the log-ratio
of its words and word pairs (``adapt_ngrams``) under the host's and the guest's vocabulary of this episode,
counted over the other paragraphs weighted by the current posteriors. Word pairs ("you know", "i think", "sort
of", "do you") carry a speaker's phrasing more than their topic, which both share. A last pass
(``split_turns``, ``decode_speakers``) runs the same HMM over the sentences, where a change inside a paragraph
needs strong evidence, and splits a paragraph where its sentences change speaker (``SpeakerLabels.breaks``):
the host's follow-up after an answer, the guest's question back. A sentence's place is told relative to the
host's introduction when the opening has one (``introduction_places``: a cold open of the guest's quotes
before it, the introduction, the first sentences after the handover), and the cold open can be left out
of the adaptation (``adapt_skip_opening``): its clips are not the conversation's voices. The names come
from the opening ("a conversation with …", "this is the … podcast"), else "Host" and "Guest". More than two
voices (panels, debates) are labelled as host and guest too.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.readability import segmentation as rd
from desktop_app.speakers.names import find_introduction, find_names

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.readability.segmentation import Readable

logger = logging.getLogger(__name__)

MODEL_FILE = ("models", "speakers.json.gz")
HOST = "Host"
GUEST = "Guest"
# Decoding defaults (the model file's "params" override them; chosen on the validation split).
DEFAULT_PARAMS = {
    "evidence": 0.5,
    "turn_scale": 1.0,
    "turn_shift": 0.0,
    "host_threshold": 0.5,
    "prior": -1.4,
    "adapt_weight": 0.0,
    "adapt_rounds": 2.0,
    "adapt_ngrams": 1.0,
    "length_weight": 0.0,
    "split_turns": 0.0,
    "split_shift": -2.0,
    "adapt_skip_opening": 0.0,
    "intro_change": 0.0,
}


@dataclass(frozen=True)
class SpeakerLabels:
    """Speaker labels of a document's paragraphs.

    ``speakers``: the names used, host first (a name from the text, else "Host" / "Guest"); ``labels``: one
    per paragraph of the ``Readable`` once split at ``breaks``, a name from ``speakers`` (None: no label,
    e.g. without a model); ``host_probability``: per such paragraph, the model's probability that the host
    speaks it; ``breaks``: the sentence starts (text offsets) inside a paragraph where the speaker changes,
    which start a paragraph of their own (``labelled``).
    """

    speakers: tuple[str, ...]
    labels: tuple[str | None, ...]
    host_probability: tuple[float, ...] = ()
    breaks: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """``{"speakers": [...], "paragraph_speakers": [...]}`` (the ``paragraphs --json`` additions)."""
        return {"speakers": list(self.speakers), "paragraph_speakers": list(self.labels)}

    def labelled(self, readable: Readable) -> Readable:
        """``readable`` with its paragraphs split at ``breaks`` and each labelled with its speaker."""
        return readable.with_speakers(self.labels, self.breaks)


def _length_bucket(n: int) -> int:
    return min(n.bit_length(), 8)


def speaker_sentence_features(norm: Sequence[str], question: float, position: float) -> list[str]:
    """Features of one sentence (its normalised words) for "the host says it": its words and word pairs,
    first and last words, length, question logit (``question``) and place in the episode (``position``,
    0 to 1: the host opens)."""
    if not norm:
        return []
    feats = ["u=" + w for w in dict.fromkeys(norm)]
    feats += ["b=" + b for b in dict.fromkeys(a + " " + b for a, b in zip(norm, norm[1:], strict=False))]
    feats += [
        "f1=" + norm[0],
        "f2=" + " ".join(norm[:2]),
        "l1=" + norm[-1],
        "l2=" + " ".join(norm[-2:]),
        f"len={_length_bucket(len(norm))}",
        "q=" + str(max(-6, min(6, round(question * 2)))),
        f"pos={min(int(position * 50), 3)}",
    ]
    return feats


AFTER_SENTENCES = 4  # the sentences after the introduction's handover that get a place of their own


def introduction_places(norm: Sequence[str], starts: Sequence[int]) -> list[str] | None:
    """Per sentence (``starts``: their first words), its place relative to the host's introduction
    (``names.find_introduction``): "pre" before it (a cold open: the guest's quotes, mostly), "in" inside
    it, "a1" … "a4" the first sentences after the handover (the host's first question, then the answer),
    "late" after those. None when the opening has no introduction."""
    intro = find_introduction(norm)
    if intro is None or not starts:
        return None
    first = bisect.bisect_right(starts, intro[0]) - 1
    last = bisect.bisect_right(starts, intro[1]) - 1
    out = []
    for k in range(len(starts)):
        if k < first:
            out.append("pre")
        elif k <= last:
            out.append("in")
        elif k - last <= AFTER_SENTENCES:
            out.append(f"a{k - last}")
        else:
            out.append("late")
    return out


def opening_sentences(norm: Sequence[str], starts: Sequence[int]) -> int:
    """How many sentences the cold open takes (those before the host's introduction; 0 without one): clips
    of the conversation, no part of the voices the adaptation learns; the introduction's first sentence
    has this index."""
    places = introduction_places(norm, starts)
    return places.index("in") if places and "in" in places else 0


def sentence_feature_rows(
    norm: Sequence[str], starts: Sequence[int], questions: Sequence[float]
) -> list[list[str]]:
    """``speaker_sentence_features`` of every sentence (``starts``: their first words; ``questions``: their
    question logits), plus their neighbours': whether the previous and the next sentence are questions, their
    lengths, and the next sentence's first word. When the opening has an introduction
    (``introduction_places``), a sentence's place is told relative to it ("ip=pre", "ip=in", "ip=a1" …
    "ip=a4"; none later) instead of by its share of the episode (``pos=``): a cold open is the guest's, the
    introduction the host's, wherever they fall."""
    n = max(len(norm), 1)
    bounds = list(starts) + [len(norm)]
    places = introduction_places(norm, starts)
    rows = []
    for k, (a, b, q) in enumerate(zip(bounds, bounds[1:], questions, strict=False)):
        feats = speaker_sentence_features(norm[a:b], q, a / n)
        if places is not None:
            feats = [f for f in feats if not f.startswith("pos=")]
            if places[k] != "late":
                feats.append("ip=" + places[k])
        elif feats and feats[-1] == "pos=3":  # the rest of the episode: the bias's reference place
            feats.pop()
        if k > 0:
            feats += [
                "pq=" + str(max(-6, min(6, round(questions[k - 1] * 2)))),
                f"pl={_length_bucket(a - bounds[k - 1])}",
            ]
        if k + 1 < len(questions):
            feats += [
                "nq=" + str(max(-6, min(6, round(questions[k + 1] * 2)))),
                f"nl={_length_bucket(bounds[k + 2] - b)}",
                "nf1=" + (norm[b] if b < len(norm) else "</s>"),
            ]
        rows.append(feats)
    return rows


class SpeakerModel:
    """The sentence model's weights and the decoding parameters (a plain dict loaded from JSON)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.bias = float(data["bias"])
        self.weights: dict[str, float] = data["weights"]
        self.params = {**DEFAULT_PARAMS, **data.get("params", {})}

    @classmethod
    def load(cls, path: str | Path) -> SpeakerModel:
        """Read a model file written by ``train_speakers`` (gzip-compressed JSON)."""
        import gzip
        import json

        with gzip.open(path, "rt", encoding="utf-8") as f:
            return cls(json.load(f))

    def sentence_logit(self, features: Sequence[str]) -> float:
        """Logit of "the host says this sentence"."""
        get = self.weights.get
        return self.bias + sum(get(f, 0.0) for f in features)


_model: SpeakerModel | None = None
_model_missing = False
_model_lock = threading.Lock()


def default_speaker_model() -> SpeakerModel | None:
    """The bundled speaker model, loaded on first use (None when the file is missing)."""
    global _model, _model_missing
    with _model_lock:
        if _model is None and not _model_missing:
            from desktop_app.paths import resource_path

            path = Path(resource_path(*MODEL_FILE))
            if path.is_file():
                _model = SpeakerModel.load(path)
            else:
                _model_missing = True
                logger.warning("speaker model %s missing: paragraphs get no speaker", path)
        return _model


def host_posteriors(
    evidence: Sequence[float], turns: Sequence[float], params: dict[str, float]
) -> list[float]:
    """Each unit's probability of being the host's, from the forward-backward pass of a two-state HMM.

    ``evidence``: per unit, the summed sentence log-odds of "host" (relative to the prior); ``turns``: per
    unit, the turn logit at its start (the first is ignored). The speaker changes at unit j with probability
    ``sigmoid(turn_scale * turns[j] + turn_shift)``.
    """
    n = len(evidence)
    if n == 0:
        return []
    scale, shift, weight = params["turn_scale"], params["turn_shift"], params["evidence"]
    prior = params["prior"]
    log_emit = [(weight * e / 2, -weight * e / 2) for e in evidence]
    change = [0.5] + [min(max(_sigmoid(scale * t + shift), 1e-4), 1 - 1e-4) for t in turns[1:]]
    p_host = _sigmoid(prior)
    fwd = [(math.log(p_host) + log_emit[0][0], math.log(1 - p_host) + log_emit[0][1])]
    for j in range(1, n):
        stay, move = math.log(1 - change[j]), math.log(change[j])
        h, g = fwd[-1]
        fwd.append(
            (_logaddexp(h + stay, g + move) + log_emit[j][0], _logaddexp(g + stay, h + move) + log_emit[j][1])
        )
    bwd = [(0.0, 0.0)] * n
    for j in range(n - 2, -1, -1):
        stay, move = math.log(1 - change[j + 1]), math.log(change[j + 1])
        h, g = bwd[j + 1]
        eh, eg = log_emit[j + 1]
        bwd[j] = (_logaddexp(stay + eh + h, move + eg + g), _logaddexp(stay + eg + g, move + eh + h))
    out = []
    for (fh, fg), (bh, bg) in zip(fwd, bwd, strict=False):
        out.append(_sigmoid((fh + bh) - (fg + bg)))
    return out


def adapted_posteriors(
    evidence: Sequence[float],
    turns: Sequence[float],
    words: Sequence[Sequence[str]],
    params: dict[str, float],
) -> list[float]:
    """``host_posteriors``, then adapted to this episode: each round, every paragraph's evidence gains
    ``adapt_weight`` times the log-ratio of its words (and, with ``adapt_ngrams`` 2, its word pairs) under the
    host's and the guest's vocabulary of this episode (counts weighted by the current posteriors, the
    paragraph's own left out). ``words``: the normalised words of each paragraph."""
    return _adapt(evidence, turns, words, params)[0]


class _Voices:
    """The host's and the guest's counts of the adaptation's units in one episode, weighted by posteriors."""

    def __init__(self, counts: Sequence[Counter[str]], prob: Sequence[float]) -> None:
        self.host: dict[str, float] = defaultdict(float)
        self.guest: dict[str, float] = defaultdict(float)
        for c, p in zip(counts, prob, strict=False):
            for w, k in c.items():
                self.host[w] += p * k
                self.guest[w] += (1 - p) * k
        self.n_host, self.n_guest = sum(self.host.values()), sum(self.guest.values())
        self.vocab = len(self.host) or 1

    def log_ratio(self, counts: Counter[str], p: float) -> float:
        """The log-ratio of ``counts`` under the host's and the guest's counts, with this unit's own counts
        (weighted by its host probability ``p``) left out."""
        total = sum(counts.values())
        nh = self.n_host - p * total + 0.5 * self.vocab
        ng = self.n_guest - (1 - p) * total + 0.5 * self.vocab
        host, guest = self.host, self.guest
        z = 0.0
        for w, k in counts.items():
            z += k * (math.log((host[w] - p * k + 0.5) / nh) - math.log((guest[w] - (1 - p) * k + 0.5) / ng))
        return z


def _adapt(
    evidence: Sequence[float],
    turns: Sequence[float],
    words: Sequence[Sequence[str]],
    params: dict[str, float],
    skip: int = 0,
) -> tuple[list[float], _Voices | None]:
    """``adapted_posteriors`` and the voices counted from its final posteriors (None without adaptation);
    the first ``skip`` units take no part in the adaptation."""
    prob = host_posteriors(evidence, turns, params)
    weight = params.get("adapt_weight", 0.0)
    if weight <= 0:
        return prob, None
    counts = [
        adaptation_counts(ws, int(params.get("adapt_ngrams", 1))) if j >= skip else Counter()
        for j, ws in enumerate(words)
    ]
    for _ in range(int(params.get("adapt_rounds", 2))):
        voices = _Voices(counts, prob)
        extra = [weight * voices.log_ratio(c, p) for c, p in zip(counts, prob, strict=False)]
        prob = host_posteriors([e + x for e, x in zip(evidence, extra, strict=False)], turns, params)
    return prob, _Voices(counts, prob)


def decode_speakers(
    sentence_logits: Sequence[float],
    turns: Sequence[float],
    bounds: Sequence[int],
    paragraph_first: Sequence[int],
    norm: Sequence[str],
    params: dict[str, float],
    opening: int = 0,
) -> tuple[list[int], list[float]]:
    """The speaker decoding of one episode: the first sentence of each labelled unit and its host
    probability.

    ``sentence_logits``: per sentence, "the host says it"; ``turns``: per sentence, the turn logit at its
    start; ``bounds``: the sentences' first words and the word count (sentence k covers words ``bounds[k]`` to
    ``bounds[k + 1]``); ``paragraph_first``: each paragraph's first sentence; ``norm``: the normalised words.
    The units are the paragraphs (``adapted_posteriors``). With ``split_turns``, a second pass runs the same
    HMM over the sentences: each sentence's evidence is its own log-odds plus the adaptation's log-ratio of
    its words under the episode's voices, the change probability at a paragraph start is the paragraph's,
    and inside a paragraph it is the turn logit plus ``split_shift`` (a change the paragraph threshold
    missed needs strong speaker evidence). Where the sentence labels change inside a paragraph, the
    paragraph is split there (the host's remark after an answer, the guest's question back); a paragraph
    whose sentences all get one label keeps its own probability. ``opening``: how many sentences the cold
    open takes (``opening_sentences``; the introduction starts at this sentence); with ``adapt_skip_opening``
    the paragraphs that start in the cold open take no part in the adaptation (its clips are not the
    conversation's voices, and a clip's phrasing said nowhere else would go to the host; the introduction
    still takes part). With
    ``intro_change`` (a logit, estimated on the training episodes), the speaker changes where the
    introduction starts after a cold open with that probability, whatever the turn logit there.
    """
    if opening and params.get("intro_change", 0.0) and params["turn_scale"] and opening < len(turns):
        turns = list(turns)  # the cold open's clips end where the introduction starts: a learned change rate
        turns[opening] = (params["intro_change"] - params["turn_shift"]) / params["turn_scale"]
    firsts = list(paragraph_first) + [len(sentence_logits)]
    evidence = combine_evidence(sentence_logits, firsts, bounds, params)
    words = [norm[bounds[a] : bounds[b]] for a, b in zip(firsts, firsts[1:], strict=False)]
    par_turns = [turns[k] for k in firsts[:-1]]
    skip = 0
    if params.get("adapt_skip_opening", 0.0):
        skip = sum(1 for a in firsts[:-1] if a < opening)
    prob, voices = _adapt(evidence, par_turns, words, params, skip)
    if not params.get("split_turns", 0.0):
        return firsts[:-1], prob
    shift, weight, prior = params["split_shift"], params.get("adapt_weight", 0.0), params["prior"]
    ngrams = int(params.get("adapt_ngrams", 1))
    sentence_evidence: list[float] = []
    sentence_turns: list[float] = []
    for j, (a, b) in enumerate(zip(firsts, firsts[1:], strict=False)):
        for k in range(a, b):
            z = sentence_logits[k] - prior
            if voices is not None and j >= skip:
                counts = adaptation_counts(norm[bounds[k] : bounds[k + 1]], ngrams)
                z += weight * voices.log_ratio(counts, prob[j])
            sentence_evidence.append(z)
            sentence_turns.append(turns[k] if k in (a, opening) else turns[k] + shift)
    sentence_prob = host_posteriors(sentence_evidence, sentence_turns, params)
    threshold = params["host_threshold"]
    host = [p > threshold for p in sentence_prob]
    units: list[int] = []
    out: list[float] = []
    for j, (a, b) in enumerate(zip(firsts, firsts[1:], strict=False)):
        cuts = [k for k in range(a + 1, b) if host[k] != host[k - 1]]
        if not cuts:
            units.append(a)
            out.append(prob[j])
            continue
        for x, y in zip([a, *cuts], [*cuts, b], strict=True):
            units.append(x)
            out.append(sum(sentence_prob[x:y]) / (y - x))
    return units, out


def adaptation_counts(words: Sequence[str], ngrams: int = 1) -> Counter[str]:
    """The units the episode adaptation counts in a paragraph: its words, plus its word pairs when ``ngrams``
    is 2 or more (joined by a space, so a pair never equals a word)."""
    counts = Counter(words)
    if ngrams >= 2:
        counts.update(a + " " + b for a, b in zip(words, words[1:], strict=False))
    return counts


def _logaddexp(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    return a + math.log1p(math.exp(b - a))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class SentenceUnits:
    """The sentences of a ``Readable`` as word indices, with what the speaker decoding needs of them."""

    norm: list[str]
    starts: list[int]  # word index of each sentence start
    paragraph_first: list[int]  # index of each paragraph's first sentence
    questions: list[float]  # question logit per sentence
    turns: list[float]  # turn logit per sentence start


def sentence_units(text: str, readable: Readable, model: rd.Model | None = None) -> SentenceUnits:
    """Words, sentences, question and turn logits of ``readable``'s sentences (``model``: the readability
    model, by default the bundled one)."""
    model = model or rd.default_model()
    spans = [m.span() for m in rd._WORD_RE.finditer(text)]
    word_starts = [s for s, _ in spans]
    words = [text[s:e] for s, e in spans]
    types = {w: (rd.normalize(w), rd.shape(w)) for w in dict.fromkeys(words)}
    norm = [types[w][0] for w in words]
    shapes = [types[w][1] for w in words]
    starts: list[int] = []
    paragraph_first: list[int] = []
    for paragraph in readable.paragraphs:
        paragraph_first.append(len(starts))
        for sentence in paragraph.sentences:
            k = bisect.bisect_left(word_starts, sentence.start)
            if starts and k <= starts[-1]:
                k = starts[-1] + 1  # a sentence without words of its own: keep the starts increasing
            starts.append(min(k, max(len(words) - 1, 0)))
    bounds = starts + [len(words)]
    questions = [
        model.question_logit(norm[a:b] or ["</s>"]) for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    columns = rd.start_feature_columns(norm, shapes)
    start_scores = model.start_scores(norm, shapes, columns)
    turns = (
        model.sentence_turn_logits(norm, columns, starts, len(words), questions, start_scores)
        if starts
        else []
    )
    return SentenceUnits(norm, starts, paragraph_first, questions, turns)


def sentence_logits(units: SentenceUnits, speaker_model: SpeakerModel) -> list[float]:
    """Per sentence, the speaker model's logit of "the host says it"."""
    return [
        speaker_model.sentence_logit(f)
        for f in sentence_feature_rows(units.norm, units.starts, units.questions)
    ]


def combine_evidence(
    sentence_logits: Sequence[float], firsts: Sequence[int], bounds: Sequence[int], params: dict[str, float]
) -> list[float]:
    """Per paragraph (its sentences ``firsts[j]`` to ``firsts[j + 1]``; sentence k covers words
    ``bounds[k]`` to ``bounds[k + 1]``): the summed sentence log-odds relative to the prior, plus
    ``length_weight`` times how much shorter than 32 words it is, in doublings (the host is brief)."""
    prior, weight = params["prior"], params.get("length_weight", 0.0)
    out = []
    for a, b in zip(firsts, firsts[1:], strict=False):
        words = bounds[b] - bounds[a]
        out.append(sum(z - prior for z in sentence_logits[a:b]) + weight * (5.0 - math.log2(1 + words)))
    return out


def infer_speakers(
    text: str, readable: Readable, model: rd.Model | None = None, speaker_model: SpeakerModel | None = None
) -> SpeakerLabels:
    """A speaker for every paragraph of ``readable`` (the segmentation of ``text``) once split where the
    speaker changes inside it (``SpeakerLabels.breaks``; ``SpeakerLabels.labelled`` applies both): the
    interview's host or guest, named from the opening when it says them (see the module docstring).
    ``model`` / ``speaker_model``: the readability and speaker models, by default the bundled ones."""
    speaker_model = speaker_model or default_speaker_model()
    if speaker_model is None or not readable.paragraphs:
        return SpeakerLabels((), (None,) * len(readable.paragraphs))
    units = sentence_units(text, readable, model)
    bounds = units.starts + [len(units.norm)]
    firsts, probability = decode_speakers(
        sentence_logits(units, speaker_model),
        units.turns,
        bounds,
        units.paragraph_first,
        units.norm,
        speaker_model.params,
        opening=opening_sentences(units.norm, units.starts),
    )
    sentence_starts = [s.start for p in readable.paragraphs for s in p.sentences]
    paragraph_first = set(units.paragraph_first)
    breaks = tuple(sentence_starts[k] for k in firsts if k not in paragraph_first)
    names = find_names(text)
    host, guest = names.host or HOST, names.guest or GUEST
    threshold = speaker_model.params["host_threshold"]
    labels = [host if p > threshold else guest for p in probability]
    starts = sorted({p.start for p in readable.paragraphs} | set(breaks))
    for name, own, other in ((names.guest, guest, host), (names.host, host, guest)):
        if name:
            _own_introduction(text, starts, labels, name, own, other)
    speakers = tuple(s for s in (host, guest) if s in labels)
    return SpeakerLabels(speakers, tuple(labels), tuple(round(p, 4) for p in probability), breaks)


SELF_INTRO_CHARS = 3000  # a speaker says their own name in the opening (about the first 500 words)


def _own_introduction(
    text: str, starts: Sequence[int], labels: list[str], name: str, own: str, other: str
) -> None:
    """Label the paragraph where someone says "my name is NAME" / "I'm NAME" in the opening as NAME's, and
    the paragraphs after it up to the next of NAME's (the speaker model gave that run to the other speaker:
    "So yeah, my name is Yuri Malkov …" labelled as the host's). ``starts``: each label's paragraph start."""
    said = re.compile(r"\b(?:my name is|I'm|I am) " + re.escape(name) + r"\b", re.IGNORECASE)
    found = said.search(text, 0, min(len(text), SELF_INTRO_CHARS))
    if found is None:
        return
    k = bisect.bisect_right(starts, found.start()) - 1
    if k < 0 or k >= len(labels) or labels[k] != other:
        return
    while k < len(labels) and labels[k] == other:
        labels[k] = own
        k += 1
