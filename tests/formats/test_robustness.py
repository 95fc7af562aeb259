"""Input robustness (issue 16): special files, bounded reads, damaged cues, hostile markup, seeded fuzzing,
huge texts."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from format_samples import DATA, _mutate

from desktop_app.formats import TranscriptError, load, parse


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(TranscriptError, match="not a regular file"):
        load(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_device_is_refused() -> None:
    with pytest.raises(TranscriptError, match="device"):
        load("/dev/zero")


def test_read_is_bounded_whatever_the_size_says(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("words " * 400, "utf-8")
    with pytest.raises(TranscriptError, match="MB"):
        load(path, max_bytes=1000)


def test_damaged_cues_are_skipped_and_reported() -> None:
    t = load(DATA / "damaged.vtt")
    assert t.text == "first cue is fine last cue is fine too"
    assert len(t.warnings) == 2
    assert "damaged cue" in t.warnings[0] and "00:0x" in t.warnings[0]
    assert "without a timing line" in t.warnings[1]


def test_damaged_srt_keeps_the_good_cues(tmp_path: Path) -> None:
    path = tmp_path / "x.srt"
    path.write_text(
        "1\nhello there\n\n2\n00:00:01,000 --> 00:00:02,000\nhi\n\n3\n00:00:0 --> 1\nbad\n", "utf-8"
    )
    t = load(path)
    assert t.text == "hi"
    assert len(t.warnings) == 2


@pytest.mark.parametrize("cue", ["<" * 200_000, "<v a" * 50_000, "{\\" * 100_000, "&" * 100_000 + ";"])
def test_hostile_markup_reads_in_one_pass(tmp_path: Path, cue: str) -> None:
    path = tmp_path / "hostile.srt"
    path.write_text(f"1\n00:00:01,000 --> 00:00:02,000\n{cue} end\n", "utf-8")
    assert load(path).text.endswith("end")


def test_whitespace_only_lines_stay_inside_a_cue() -> None:
    parsed = parse(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n \nhello\n \n\n00:00:02.000 --> 00:00:03.000\nworld\n",
        "x.vtt",
        ".vtt",
    )
    assert parsed.text == "hello world"
    assert parsed.warnings == ()


def test_mutated_files_open_or_are_refused_with_a_message(tmp_path: Path) -> None:
    """Seeded fuzzing in CI size: every damaged fixture opens or is refused with a TranscriptError."""
    rng = random.Random(16)
    sources = sorted(DATA.iterdir())
    opened = refused = 0
    for number in range(300):
        source = rng.choice(sources)
        data = source.read_text(encoding="utf-8")
        for _ in range(rng.randint(1, 4)):
            data = _mutate(data, rng)
        path = tmp_path / f"m{number}{source.suffix}"
        path.write_text(data, encoding="utf-8")
        try:
            transcript = load(path)
        except TranscriptError:
            refused += 1
            continue
        opened += 1
        assert transcript.text.strip()
        assert all(0 <= c.start <= c.end <= len(transcript.text) for c in transcript.cues)
        assert all(0 <= t.start < t.end <= len(transcript.text) for t in transcript.turns)
    assert opened > 200, (opened, refused)  # broken JSON is refused: it cannot be partly read


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_place_of_a_cache_entry_is_a_miss(tmp_path: Path) -> None:
    from desktop_app import cache

    entry = cache.cache_file(tmp_path, "readable", "ab" * 32, "v1")
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    assert cache.load(tmp_path, "readable", "ab" * 32, "v1") is None


def test_huge_unpunctuated_text_is_segmented_coarsely(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.readability import segmentation as readability

    text = (
        "so i think that is a really interesting question about open source models and what they mean "
        "for people who build things "
    ) * 60
    monkeypatch.setattr(readability, "HUGE_TEXT_WORDS", 100)
    readable = readability.segment(text)
    assert readable.paragraphs[0].start == 0 and readable.paragraphs[-1].end == len(text.rstrip())
    assert all(len(text[p.start : p.end].split()) <= 150 for p in readable.paragraphs)
    assert readable.commas == ()  # the coarse path: no comma model


def test_absurdly_long_text_runs_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.readability import segmentation as readability

    text = "x " * 1000 + "end"
    monkeypatch.setattr(readability, "TRIVIAL_TEXT_WORDS", 500)
    monkeypatch.setattr(readability, "default_model", lambda: pytest.fail("no model for such a text"))
    readable = readability.segment(text)
    assert [len(p.sentences) for p in readable.paragraphs][:2] == [7, 7]
    assert readable.paragraphs[-1].end == len(text)
