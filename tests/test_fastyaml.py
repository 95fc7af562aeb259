"""The annotations block written and read without LibYAML events gives the same bytes and the same data as
LibYAML, on random content (issue 16 item 5: 100,000 highlights saved and loaded in a few seconds)."""

from __future__ import annotations

import random

import pytest
import yaml

from desktop_app.annotations import fastyaml, schema, store, yaml_reader, yaml_scalars, yaml_writer
from desktop_app.annotations.model import Annotation, Target

PIECES = [
    "word",
    "Word",
    "it's",
    "don't",
    "a",
    "I",
    " ",
    " ",
    "  ",
    ",",
    ".",
    ":",
    ": ",
    "#",
    " #",
    "-",
    "- ",
    "?",
    "'",
    "''",
    '"',
    "[x]",
    "{y}",
    "*",
    "&",
    "!",
    "|",
    ">",
    "%",
    "@",
    "`",
    "é",
    "日本語",
    "😀",
    "\n",
    "\n\n",
    "\t",
    "yes",
    "no",
    "null",
    "~",
    "123",
    "1.5",
    "2026-11-29",
    "...",
    "---",
    "\u2028",
    "\x85",
    "\ufeff",
    "x" * 30,
    "long words " * 12,
    "\\",
    "\u00a0",
    "0x1f",
    "1e5",
    "true",
    "=",
    "<<",
]


def random_string(rng: random.Random, max_pieces: int = 12) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, max_pieces)))


def random_file(rng: random.Random, count: int) -> store.AnnotationFile:
    items = []
    for n in range(count):
        start = rng.randrange(0, 10**6)
        exact = random_string(rng) or "x"
        items.append(
            Annotation(
                id=rng.choice(
                    [f"id-{n}-{rng.random()}", random_string(rng, 3).strip() + str(n), "123" + str(n)]
                ),
                color=rng.choice(["yellow", "blue", random_string(rng, 2).strip() or "c"]),
                created=rng.choice(
                    ["2026-11-29T10:00:00Z", "2026-11-29T10:00:00.250Z", "0001-01-01T00:00:00Z"]
                ),
                updated="2026-11-29T10:16:30.001Z",
                target=Target(
                    start, start + rng.randrange(1, 500), exact, random_string(rng, 4), random_string(rng, 4)
                ),
                note=random_string(rng, 20),
                tags=tuple(
                    t for t in (random_string(rng, 2) for _ in range(rng.randrange(0, 4))) if t.strip()
                ),
            )
        )
    return store.AnnotationFile(document=store.DocumentRef("T", "0" * 64, "/x"), annotations=items)


@pytest.mark.parametrize("seed", range(6))
def test_fast_dump_is_byte_for_byte_libyaml(seed: int) -> None:
    content = random_file(random.Random(seed), 150)
    data = store.to_data(content)
    assert store.dump(content) == yaml_writer._emit(data)


@pytest.mark.parametrize("seed", range(6))
def test_fast_parse_gives_what_libyaml_gives(seed: int) -> None:
    content = random_file(random.Random(100 + seed), 150)
    text = store.dump(content)
    slow = schema._Validator("<slow>").file(yaml_reader._EventBuilder("<slow>").build(text))
    fast = store.parse(text)
    assert fast == slow
    assert [a.target.extra for a in fast.annotations] == [a.target.extra for a in slow.annotations]


def test_most_entries_take_the_fast_path() -> None:
    rng = random.Random(7)
    text = "compute is the currency of the future and we talk about it a lot " * 50
    items = [
        Annotation.create(
            text, s, s + rng.randrange(5, 300), note="a note\nwith two lines" if s % 3 else "", tags=["ai"]
        )
        for s in range(0, 3000, 7)
    ]
    entries = store.to_data(store.AnnotationFile(annotations=items))["annotations"]
    fast = [fastyaml.entry_text(e, yaml_scalars.resolves_to_str) for e in entries]
    assert sum(t is not None for t in fast) >= 0.95 * len(fast)
    block = "".join(t for t in fast if t is not None)
    assert fastyaml.parse_entries(block, yaml_scalars.resolves_to_str, str) is not None


def slow_parse(text: str) -> store.AnnotationFile:
    """What the file means to LibYAML and the validator alone (no fast reader)."""
    try:
        raw = yaml_reader._EventBuilder("<slow>").build(text)
    except yaml_reader._Unusual:
        yaml_reader._scan_events(text, "<slow>")
        raw = yaml.load(text, Loader=yaml_scalars.LOADER)
    return schema._Validator("<slow>").file(raw)


def outcome(parse, text: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return parse(text)
    except store.AnnotationFileError:
        return "refused"
    except Exception as error:
        return f"error {type(error).__name__}"


@pytest.mark.parametrize("seed", range(3))
def test_near_canonical_files_mean_the_same_to_the_fast_reader(seed: int) -> None:
    """Differential: canonical files edited by hand (comments, quotes, indentation, values) are read the same
    with and without the fast reader, or refused by both."""
    rng = random.Random(500 + seed)
    text = "compute is the currency of the future and we talk about it a lot " * 50
    items = [
        Annotation.create(
            text,
            s,
            s + rng.randrange(5, 200),
            note="a note\nwith two lines" if s % 3 else "x",
            tags=["ai"],
            now="2026-11-29T10:00:00Z",
        )
        for s in range(0, 1500, 37)
    ]
    base = store.dump(store.AnnotationFile(annotations=items))
    assert (
        yaml_reader._fast_build(base, "<fast>") is not yaml_reader._NO_KEY
    )  # the unedited file takes the fast path
    edits = [
        ("  note: x", "  note: x # a comment"),
        ("  note: x", "  note: 'x'"),
        ("  note: x", '  note: "x"'),
        ("  note: x", "  note: |\n    x"),
        ("  note: x", "  note:"),
        ("  note: x", "  note: 5"),
        ("    exact: ", "    exact:  "),
        ("    exact: ", "    exact: '"),
        ("  tags: [ai]", "  tags: [ai, ai]"),
        ("  tags: [ai]", "  tags: ['a''i']"),
        ("  tags: [ai]", "  tags: [a: i]"),
        ("  color: green", "  color: yes"),
        ("    start: ", "    start: 0"),
        ("    end: ", "    end: -"),
        ("  updated: 2026", "  updated: 2025"),
        ("- id: ", "- id: &a "),
        ("  target:\n", "  target: \n"),
        ("\n  note:", "\n  note2: 1\n  note:"),
        ("      ", "       "),
        ("  note: |-\n", "  note: |+\n"),
        ("  note: |-\n", "  note: >-\n"),
        ("with two lines", "with two lines\n\n    after a blank"),
        ("    prefix: ", "    prefix: ''"),
        ("annotations:\n", "annotations:\n\n"),
        ("\noutline: []", "\nannotations: []\noutline: []"),
    ]
    for _ in range(60):
        text_now = base
        for old, new in rng.sample(edits, rng.randrange(1, 4)):
            spots = [i for i in range(len(text_now)) if text_now.startswith(old, i)]
            if spots:
                at = rng.choice(spots)
                text_now = text_now[:at] + new + text_now[at + len(old) :]
        fast, slow = outcome(store.parse, text_now), outcome(slow_parse, text_now)
        if isinstance(slow, str) and slow.startswith("error"):
            slow = "refused"  # the app's parse turns PyYAML's errors into refusals
        assert fast == slow, text_now[:3000]
