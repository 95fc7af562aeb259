"""The derived-data cache (issue 16 item 6): nothing read back is trusted; an invalid entry is a miss,
removed, and the next store rewrites it."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import pytest

from desktop_app import cache
from desktop_app.outline import chapters as outline
from desktop_app.readability import segmentation as readability

if TYPE_CHECKING:
    from pathlib import Path

SHA = "a" * 64
TEXT = "so we talk about open source and then about the metaverse and then we stop " * 40


@pytest.fixture(scope="module")
def real_values() -> dict[str, Any]:
    readable = readability.segment(TEXT)
    sections = outline.outline_of(TEXT, readable, 1.0)
    return {
        "readable": readability.readable_to_cache(readable),
        "outline": outline.sections_to_cache(sections),
    }


def test_real_entries_round_trip_with_and_without_the_text(
    tmp_path: Path, real_values: dict[str, Any]
) -> None:
    for kind, value in real_values.items():
        cache.store(tmp_path, kind, SHA, "v1", value, text=TEXT)
        assert cache.load(tmp_path, kind, SHA, "v1", text=TEXT) == value
        assert cache.load(tmp_path, kind, SHA, "v1") == value
        cache.store(tmp_path, kind, SHA, "v2", value)  # as the document pipeline stores today (no text)
        assert cache.load(tmp_path, kind, SHA, "v2", text=TEXT) == value


def corrupt_cases(values: dict[str, Any]) -> list[tuple[str, str, Any]]:
    readable, sections = values["readable"], values["outline"]
    past_end = json.loads(json.dumps(readable))
    past_end["paragraphs"][-1][-1][1] = len(TEXT) + 500
    empty_paragraph = json.loads(json.dumps(readable))
    empty_paragraph["paragraphs"].append([])
    overlapping = json.loads(json.dumps(readable))
    overlapping["paragraphs"].insert(1, overlapping["paragraphs"][0])
    huge_comma = {**readable, "commas": [10**400]}
    true_start = json.loads(json.dumps(readable))
    true_start["paragraphs"][0][0][0] = True  # an int to Python, not an offset
    float_end = json.loads(json.dumps(readable))
    float_end["paragraphs"][0][0][1] = float(float_end["paragraphs"][0][0][1])
    mark_number = json.loads(json.dumps(readable))
    mark_number["paragraphs"][0][0][2] = 1
    gap = (
        [dict(sections[0], end=sections[0]["end"] - 1), *sections[1:]]
        if len(sections) > 1
        else [{"title": 1}]
    )
    return [
        ("readable", "offset past the text", past_end),
        ("readable", "empty paragraph", empty_paragraph),
        ("readable", "overlapping sentences", overlapping),
        ("readable", "a 400-digit comma", huge_comma),
        ("readable", "a start that is true", true_start),
        ("readable", "an end with a fraction", float_end),
        ("readable", "a mark that is a number", mark_number),
        ("readable", "a capital that is text", {**readable, "capitalize": ["3"]}),
        ("readable", "a comma before the text", {**readable, "commas": [-1]}),
        ("readable", "a version that is a list", {**readable, "version": [[[]]]}),
        ("readable", "no paragraphs", {**readable, "paragraphs": []}),
        ("outline", "a gap between sections", gap),
        ("outline", "keywords a number", [dict(sections[0], keywords=5), *sections[1:]]),
        ("outline", "no sections", []),
    ]


def test_entries_that_parse_but_lie_are_misses_and_removed(
    tmp_path: Path, real_values: dict[str, Any]
) -> None:
    for kind, label, value in corrupt_cases(real_values):
        cache.store(tmp_path, kind, SHA, "v1", value, text=TEXT)  # even with a valid checksum
        path = cache.cache_file(tmp_path, kind, SHA, "v1")
        assert cache.load(tmp_path, kind, SHA, "v1", text=TEXT) is None, label
        assert not path.exists(), label


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace('"value":{', '"value":{"x":Infinity,', 1),
        lambda text: text.replace('"value":{', '"value":{"x":NaN,', 1),
        lambda text: text.replace('"value":{', '"value":{"x":' + "[" * 5000 + "]" * 5000 + ",", 1),
        lambda text: text.replace('"value":{', '"value":{"x":' + "[" * 30 + "]" * 30 + ",", 1),
        lambda text: text.replace(",[", ",[1" + "0" * 5000 + ",", 1),
        lambda text: text[: len(text) // 2],
        lambda text: text.replace('"checksum":"', '"checksum":"0', 1),
        lambda text: "\x00" * 10,
    ],
    ids=["infinity", "nan", "deep", "nested", "huge-int", "truncated", "checksum", "binary"],
)
def test_corrupted_files_are_misses(tmp_path: Path, real_values: dict[str, Any], edit: Any) -> None:
    cache.store(tmp_path, "readable", SHA, "v1", real_values["readable"], text=TEXT)
    path = cache.cache_file(tmp_path, "readable", SHA, "v1")
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert cache.load(tmp_path, "readable", SHA, "v1", text=TEXT) is None
    cache.store(tmp_path, "readable", SHA, "v1", real_values["readable"], text=TEXT)  # rebuilt, rewritten
    assert cache.load(tmp_path, "readable", SHA, "v1", text=TEXT) == real_values["readable"]


def test_an_entry_for_a_text_of_another_length_is_a_miss(tmp_path: Path, real_values: dict[str, Any]) -> None:
    cache.store(tmp_path, "outline", SHA, "v1", real_values["outline"], text=TEXT)
    assert cache.load(tmp_path, "outline", SHA, "v1", text=TEXT + " more") is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_in_place_of_an_entry_does_not_hang(tmp_path: Path) -> None:
    path = cache.cache_file(tmp_path, "outline", SHA, "v1")
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    assert cache.load(tmp_path, "outline", SHA, "v1", text=TEXT) is None
    cache.store(
        tmp_path, "outline", SHA, "v1", [{"title": "All", "start": 0, "end": len(TEXT), "keywords": []}]
    )
    assert cache.load(tmp_path, "outline", SHA, "v1", text=TEXT) is not None


def test_entries_of_unknown_kinds_still_need_their_checksum(tmp_path: Path) -> None:
    cache.store(tmp_path, "other", SHA, "v1", {"a": [1, 2]})
    assert cache.load(tmp_path, "other", SHA, "v1") == {"a": [1, 2]}
    path = cache.cache_file(tmp_path, "other", SHA, "v1")
    path.write_text(path.read_text(encoding="utf-8").replace("[1,2]", "[1,3]"), encoding="utf-8")
    assert cache.load(tmp_path, "other", SHA, "v1") is None
