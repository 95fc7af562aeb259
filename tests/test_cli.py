"""The headless command line of design.md §7: JSON shapes, exit codes, and no traceback on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.app import main

SMALL = (
    "so let me ask you about open source what do you think about llama "
    "i think open source is great because it lets people build things and we believe in it "
    "and now let's talk about fighting i do jiu-jitsu every day it is fun "
) * 20


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.txt"
    path.write_text(SMALL, encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_paragraphs_json(capsys: pytest.CaptureFixture[str], small_file: Path) -> None:
    payload = run_json(capsys, "paragraphs", str(small_file), "--json")
    paragraphs = payload["paragraphs"]
    assert paragraphs and paragraphs[0]["start"] == 0
    for paragraph in paragraphs:
        assert paragraph["sentences"][0]["start"] == paragraph["start"]
        assert paragraph["sentences"][-1]["end"] == paragraph["end"]
    assert paragraphs[-1]["end"] == len(SMALL.rstrip())


def test_outline_json(capsys: pytest.CaptureFixture[str], small_file: Path) -> None:
    sections = run_json(capsys, "outline", str(small_file), "--json")["sections"]
    assert sections[0]["start"] == 0 and sections[-1]["end"] == len(SMALL)
    assert all(s["title"] for s in sections)


def test_search_json_offsets_land_on_words(
    capsys: pytest.CaptureFixture[str], small_file: Path, tmp_path: Path
) -> None:
    payload = run_json(
        capsys,
        "search",
        str(small_file),
        "fight",
        "--json",
        "--data-dir",
        str(tmp_path / "d"),
        "--limit",
        "5",
    )
    assert payload["total"] >= 20
    assert len(payload["hits"]) == 5
    for hit in payload["hits"]:
        assert SMALL[hit["start"] : hit["end"]].lower().startswith("fight")
        assert set(hit) >= {"start", "end", "score", "snippet", "section"}


def test_export_finds_annotations_by_text_hash_from_any_path(
    capsys: pytest.CaptureFixture[str], small_file: Path, tmp_path: Path
) -> None:
    from desktop_app.annotations import store as annotation_store
    from desktop_app.annotations.model import Annotation
    from desktop_app.annotations.store import AnnotationFile, DocumentRef
    from desktop_app.paths import app_dirs
    from desktop_app.transcript import load_transcript

    transcript = load_transcript(small_file)
    dirs = app_dirs(tmp_path / "d")
    dirs.ensure()
    start = SMALL.index("llama")
    content = AnnotationFile(
        document=DocumentRef(transcript.title, transcript.sha256, transcript.source),
        annotations=[Annotation.create(SMALL, start, start + 5, note="the model", tags=["ai"])],
    )
    annotation_store.save(
        annotation_store.annotations_path(dirs.annotations, "small", transcript.sha256), content
    )
    copy = tmp_path / "elsewhere" / "renamed.txt"
    copy.parent.mkdir()
    copy.write_text(SMALL, encoding="utf-8")
    assert main(["export", str(copy), "--format", "markdown", "--data-dir", str(tmp_path / "d")]) == 0
    markdown = capsys.readouterr().out
    assert "> **Host:** llama" in markdown  # the inferred speaker, as in the app's export
    assert "the model" in markdown and "`ai`" in markdown
    data = run_json(capsys, "export", str(copy), "--format", "json", "--data-dir", str(tmp_path / "d"))
    assert "TextQuoteSelector" in json.dumps(data)


@pytest.mark.parametrize(
    "args, message",
    [
        (["paragraphs", "/nonexistent/file.txt", "--json"], "does not exist"),
        (["outline", "{tmp}", "--json"], "is a folder"),
    ],
)
def test_errors_go_to_stderr_with_a_non_zero_exit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(args) == cli.EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_malformed_query_is_reported_not_raised(
    capsys: pytest.CaptureFixture[str], small_file: Path, tmp_path: Path
) -> None:
    code = main(["search", str(small_file), '"unbalanced AND (', "--json", "--data-dir", str(tmp_path / "d")])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code in (0, cli.EXIT_BAD_INPUT)


def test_version_and_help_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "Transcript Reader" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "--data-dir" in result.stdout and "--smoke-test" in result.stdout


HOSTILE_ANNOTATIONS = Path(__file__).parent / "data" / "annotations" / "hostile"


@pytest.mark.parametrize("hostile", sorted(HOSTILE_ANNOTATIONS.glob("*.yaml")), ids=lambda p: p.stem)
def test_export_refuses_a_hostile_annotations_file_with_exit_2(
    capsys: pytest.CaptureFixture[str], small_file: Path, tmp_path: Path, hostile: Path
) -> None:
    from desktop_app.annotations import store as annotation_store
    from desktop_app.paths import app_dirs
    from desktop_app.transcript import load_transcript

    transcript = load_transcript(small_file)
    folder = app_dirs(str(tmp_path / "d")).annotations
    folder.mkdir(parents=True)
    target = annotation_store.annotations_path(folder, "small", transcript.sha256)
    target.write_bytes(hostile.read_bytes())
    assert main(["export", str(small_file), "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    expected = hostile.read_text(encoding="utf-8").splitlines()[0].split("expect: ", 1)[1]
    assert expected in err and "Traceback" not in err


def test_export_to_a_read_only_file_is_refused_with_exit_2(
    capsys: pytest.CaptureFixture[str], small_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.md"
    out.write_text("keep me", encoding="utf-8")
    out.chmod(0o444)
    assert main(["export", str(small_file), "--data-dir", str(tmp_path / "d"), "-o", str(out)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("query", ['"you know i"~100000000', "open^1e400", "know~99/999", "(((("])
def test_search_with_hostile_parameters_answers(
    capsys: pytest.CaptureFixture[str], small_file: Path, tmp_path: Path, query: str
) -> None:
    code = main(
        ["search", str(small_file), query, "--json", "--limit", "-3", "--data-dir", str(tmp_path / "d")]
    )
    out, err = capsys.readouterr()
    assert code in (0, 2) and "Traceback" not in err
    assert code == 2 or json.loads(out)["total"] >= 0


def test_paragraphs_of_an_interview_without_names_say_who_speaks(
    capsys: pytest.CaptureFixture[str], seed_path: Path, tmp_path: Path
) -> None:
    assert main(["paragraphs", str(seed_path), "--json", "--data-dir", str(tmp_path / "d")]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["speakers"] == ["Host", "Mark Zuckerberg"]  # the guest is named in the introduction
    labels = {p["speaker"] for p in payload["paragraphs"]}
    assert labels == {"Host", "Mark Zuckerberg"}
    assert all("Host" not in p["display"][:5] for p in payload["paragraphs"])  # a field, not text


def test_the_app_s_help_shows_how_each_headless_command_is_called() -> None:
    """It said "export FILE --json" and "library FILE --json", which both fail ("unrecognized arguments")."""
    from desktop_app.app import build_parser as app_parser

    epilog = " ".join((app_parser().epilog or "").split())
    assert "'search FILE QUERY [--json]'" in epilog
    assert "'export FILE [--format markdown|json]'" in epilog
    assert "export FILE --json" not in epilog and "library FILE" not in epilog
    parser = cli.build_parser()
    parser.parse_args(["export", "a.txt", "--format", "json"])
    parser.parse_args(["search", "a.txt", "words", "--json"])


def test_the_readable_markdown_keeps_the_file_s_own_chapters(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A Markdown transcript with "## " chapters came out of `paragraphs --format markdown` without them."""
    body = "# Boats\n\n## The hull\n\n**Sarah:** We sanded it.\n\n**Marcus:** Twice.\n\n## The mast\n\n"
    body += "**Marcus:** It goes up next week.\n\n**Sarah:** Good.\n"
    path = tmp_path / "boats.md"
    path.write_text(body, encoding="utf-8")
    assert main(["paragraphs", str(path), "--format", "markdown", "--data-dir", str(tmp_path / "d")]) == 0
    assert capsys.readouterr().out.split("\n\n") == [
        "# Boats",
        "## The hull",
        "**Sarah:** We sanded it.",
        "**Marcus:** Twice.",
        "## The mast",
        "**Marcus:** It goes up next week.",  # named again under the new chapter
        "**Sarah:** Good.\n",
    ]
