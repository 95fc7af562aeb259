"""Exports: Markdown grouped by chapter with positions, meanings, notes, tags, orphans; W3C Web Annotation JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from desktop_app.annotations.model import Annotation, Target
from desktop_app.export import to_markdown, to_web_annotation_json
from desktop_app.timeline import Timeline, format_clock

DATA = Path(__file__).parent / "data" / "annotations"
UPDATE_GOLDEN = False  # flip locally to rewrite the golden files after an intended change

TEXT = (
    "welcome to the show today we talk about compute " * 30
    + "compute is the currency of the future I think and that's really remarkable "
    + "so the question is who builds it first and what *they* do with it " * 40
    + "thank you for listening"
)


@dataclass
class Chapter:
    title: str
    start: int
    end: int


def sample_annotations() -> list[Annotation]:
    def at(phrase: str, **kwargs: object) -> Annotation:
        start = TEXT.index(phrase)
        return Annotation.create(TEXT, start, start + len(phrase), now="2026-11-29T10:00:00Z", **kwargs)  # type: ignore[arg-type]

    orphan = replace(
        at("thank you for listening", color="purple", note="Said at the end."),
        target=Target(5, 20, "a sentence that was cut", "", ""),
    )
    return [
        at(
            "who builds it first and what *they* do",
            color="blue",
            note="Who, though?\n\n- open\n- closed",
            tags=["ai", "power"],
        ),
        at("compute is the currency of the future", color="yellow", tags=["economics"]),
        at("welcome to the show", color="green"),
        orphan,
    ]


def ids_fixed(items: list[Annotation]) -> list[Annotation]:
    """Stable ids so the golden files do not change with every run."""
    return [replace(a, id=f"00000000-0000-4000-8000-00000000000{n}") for n, a in enumerate(items)]


def chapters() -> list[Chapter]:
    middle = TEXT.index("compute is the currency")
    return [Chapter("Introduction", 0, middle), Chapter("Compute and power", middle, len(TEXT))]


def check_golden(name: str, produced: str) -> None:
    path = DATA / name
    if UPDATE_GOLDEN:
        path.write_text(produced, encoding="utf-8")
    assert produced == path.read_text(encoding="utf-8")


def test_markdown_golden() -> None:
    produced = to_markdown(
        "Sample show #1", TEXT, ids_fixed(sample_annotations()), chapters(), colors={"blue": "Open question"}
    )
    check_golden("export.md", produced)


def test_markdown_content() -> None:
    md = to_markdown(
        "Sample show #1", TEXT, sample_annotations(), chapters(), colors={"blue": "Open question"}
    )
    assert md.startswith("# Sample show #1\n\n*4 highlights*\n")
    intro, rest = md.split("## Compute and power")
    assert "## Introduction" in intro and "> welcome to the show" in intro and "Quote" in intro
    assert "> compute is the currency of the future" in rest
    assert r"> who builds it first and what \*they\* do" in rest
    assert "Open question" in rest and "Who, though?\n\n- open\n- closed" in rest
    assert "Tags: `ai`, `power`" in rest
    placed, orphans = rest.split("## Not found in the current text")
    assert "a sentence that was cut" in orphans and "Said at the end." in orphans
    assert "min 1" in placed  # 240 words in: about a minute at 185 wpm


def test_markdown_timestamps_and_no_chapters() -> None:
    md = to_markdown(
        "T", TEXT, sample_annotations()[:2], timeline=Timeline(TEXT, cue_time=lambda offset: offset / 10)
    )
    assert "##" not in md
    start = TEXT.index("compute is the currency")
    assert f"*{format_clock(start / 10)} · Key idea*" in md


def test_markdown_highlights_outside_chapters_are_kept() -> None:
    md = to_markdown(
        "T", TEXT, sample_annotations()[:3], [Chapter("Late", TEXT.index("so the question"), len(TEXT))]
    )
    assert md.index("## Other highlights") < md.index("## Late")
    assert "welcome to the show" in md.split("## Late")[0]


def test_markdown_empty() -> None:
    assert to_markdown("", "text", []) == "# Transcript\n\n*0 highlights*\n"


@pytest.mark.parametrize(
    ("seconds", "clock"), [(0, "00:00"), (754.9, "12:34"), (3754, "1:02:34"), (-3, "00:00")]
)
def test_format_clock(seconds: float, clock: str) -> None:
    assert format_clock(seconds) == clock


def test_web_annotation_golden() -> None:
    produced = to_web_annotation_json(
        "Sample show #1", TEXT, ids_fixed(sample_annotations()), source="/talks/sample.txt"
    )
    check_golden("export.json", produced)


def test_web_annotation_model() -> None:
    items = sample_annotations()
    data = json.loads(to_web_annotation_json("Sample", TEXT, items, sha256="ab" * 32))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld" and data["type"] == "AnnotationCollection"
    assert data["total"] == 4 and len(data["first"]["items"]) == 4
    by_id = {a["id"]: a for a in data["first"]["items"]}
    first = by_id[f"urn:uuid:{items[0].id}"]
    assert first["type"] == "Annotation" and first["motivation"] == "commenting"
    assert first["target"]["source"] == "urn:sha256:" + "ab" * 32 and first["target"]["styleClass"] == "blue"
    quote, position = first["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == "who builds it first and what *they* do"
    assert TEXT[position["start"] : position["end"]] == quote["exact"]
    assert {b["purpose"] for b in first["body"]} == {"commenting", "tagging", "classifying"}
    orphan = by_id[f"urn:uuid:{items[3].id}"]
    assert [s["type"] for s in orphan["target"]["selector"]] == ["TextQuoteSelector"]
    plain = by_id[f"urn:uuid:{items[2].id}"]
    assert plain["motivation"] == "highlighting" and plain["created"] == "2026-11-29T10:00:00Z"


def test_write_text_atomic_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    from desktop_app.atomic_file import write_text_atomic

    target = tmp_path / "notes.md"
    target.write_text("old", encoding="utf-8")
    write_text_atomic(target, "# new ✓\n")
    assert target.read_text(encoding="utf-8") == "# new ✓\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]


def test_markdown_export_renders_no_html_from_a_shared_file() -> None:
    """Issue 16 item 11: notes stay Markdown, but nothing in them (or in titles, colour names, tags) becomes
    HTML or a script link in a renderer."""
    start = TEXT.index("compute is the currency")
    hostile = Annotation.create(
        TEXT,
        start,
        start + 7,
        color="<b>yellow</b>",
        note="**fine** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)\n"
        "[r]: javascript:alert(2)\n<img src=x onerror=alert(3)>",
        tags=["a`<img src=x>`"],
    )
    produced = to_markdown(
        "<h1>Title</h1>",
        TEXT,
        [hostile],
        [Chapter("<i>chapter</i>", 0, len(TEXT))],
        colors={"<b>yellow</b>": "<a href='javascript:x'>meaning</a>"},
    )
    outside_code = re.sub(r"`[^`]*`", "", produced)
    assert "<" not in outside_code
    assert "](javascript:" not in produced.lower() and "\n[r]:" not in produced
    assert "**fine**" in produced and "[ok](https://example.org)" in produced
    assert "`a'<img src=x>'`" in produced


def test_markdown_with_readable_quotes_links_and_front_matter() -> None:
    import yaml

    notes = ids_fixed(sample_annotations())
    output = to_markdown(
        "Show: #1 'quoted'",
        TEXT,
        notes,
        quote_of=lambda start, end: TEXT[start:end].capitalize() + ".",
        link_of=lambda offset: f"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t={offset}s",
        header={"title": "Show: #1 'quoted'", "source": "https://youtu.be/dQw4w9WgXcQ", "tags": []},
    )
    front = yaml.safe_load(output.split("---\n")[1])
    assert front == {"title": "Show: #1 'quoted'", "source": "https://youtu.be/dQw4w9WgXcQ"}
    assert "> Welcome to the show." in output
    start = TEXT.index("welcome to the show")
    assert f"*[min 0](https://www.youtube.com/watch?v=dQw4w9WgXcQ&t={start}s) · " in output
    assert "> a sentence that was cut" in output  # an orphan keeps its saved words, without a link
