"""The annotations YAML file: round trips, every rejection path, atomic saves, merges, file lookup."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from desktop_app.annotations import store, yaml_writer
from desktop_app.annotations.model import Annotation, Tombstone, parse_timestamp
from desktop_app.annotations.store import (
    AnnotationFile,
    AnnotationFileError,
    AnnotationStore,
    DocumentRef,
    annotations_path,
    backup_path,
    changed_on_disk,
    find_annotation_file,
    load,
    merge,
    read_document_header,
    save,
)

DATA = Path(__file__).parent / "data" / "annotations"
TEXT = "I compute is the currency of the future I think it is so and here are naïve “quotes” at the end."
SHA = "5b1f0e6c1a2d3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"


def make_file(*annotations: Annotation) -> AnnotationFile:
    return AnnotationFile(
        document=DocumentRef("Sample", SHA, "/tmp/sample.txt"), annotations=list(annotations)
    )


def note(start: int, end: int, when: str = "2026-11-29T10:00:00Z", **kwargs: object) -> Annotation:
    return Annotation.create(TEXT, start, end, now=when, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- round trips


def test_canonical_golden_file_round_trips_byte_for_byte(tmp_path: Path) -> None:
    golden = (DATA / "canonical.yaml").read_text(encoding="utf-8")
    content = load(DATA / "canonical.yaml")
    assert store.dump(content) == golden
    out = tmp_path / "copy.yaml"
    save(out, content)
    assert out.read_text(encoding="utf-8") == golden


def test_canonical_golden_file_content() -> None:
    content = load(DATA / "canonical.yaml")
    first, second = content.annotations
    assert first.target.exact == "compute is the currency" and first.tags == ("ai", "economics")
    assert first.updated == "2026-11-29T10:16:30.250Z"
    assert "café, naïve, 日本語" in second.note
    assert second.extra["pinned"] is True and second.target.extra == {"selector_hint": "paragraph 1"}
    assert content.deleted == [Tombstone("4c0f8e2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "2026-11-29T11:00:00Z")]
    assert content.outline[0] == {"kind": "rename", "section": 2, "title": "The future of compute"}
    assert content.extra == {"reading_position": 41}
    assert content.document.extra == {"speaker": "Ada"}


def test_hand_written_file_is_normalised_on_rewrite() -> None:
    content = load(DATA / "handwritten.yaml")
    expected = (DATA / "handwritten.expected.yaml").read_text(encoding="utf-8")
    assert store.dump(content) == expected
    assert content.annotations[0].updated == content.annotations[0].created  # missing 'updated' = 'created'


def test_save_then_load_gives_equal_content(tmp_path: Path) -> None:
    content = make_file(note(2, 9, note="multi\nline", tags=["x"]), note(41, 57, color="pink"))
    content.colors["pink"] = "Nonsense"
    content.outline.append({"kind": "rename", "title": "Ünïcode"})
    path = tmp_path / "a.yaml"
    stamp = save(path, content)
    again = load(path)
    assert again == content
    assert again.stamp == stamp and not changed_on_disk(path, stamp)


def test_unknown_fields_survive_an_edit_and_save(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes((DATA / "canonical.yaml").read_bytes())
    content = load(path)
    content.upsert(content.annotations[1].edited(note="changed"))
    save(path, content)
    text = path.read_text(encoding="utf-8")
    for kept in (
        "speaker: Ada",
        "pinned: true",
        "selector_hint: paragraph 1",
        "reading_position: 41",
        "date: 2026-11-30",
    ):
        assert kept in text
    assert "note: changed" in text


def test_no_yaml_anchors_written_for_shared_objects(tmp_path: Path) -> None:
    shared = {"k": [1, 2]}
    content = make_file(note(2, 9))
    content.extra = {"a": shared, "b": shared}
    save(tmp_path / "a.yaml", content)
    assert load(tmp_path / "a.yaml").extra == {"a": shared, "b": shared}


# --------------------------------------------------------------------------------------------- rejections

VALID_ENTRY = "{id: a1, color: yellow, created: 2026-11-29T10:00:00Z, target: {start: 0, end: 1, exact: I}}"


def doc(entries: str = f"[{VALID_ENTRY}]", head: str = "version: 1") -> str:
    return f"{head}\ndocument: {{title: t, sha256: s}}\nannotations: {entries}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("annotations: [", "not valid YAML"),
        ("- a\n- b\n", "must be a mapping"),
        ("", "is empty"),
        ("format: something-else\nversion: 1\n", "not an annotations file"),
        ("annotations: []\n", "'version': must be an integer"),
        ("version: '1'\n", "'version': must be an integer"),
        ("version: 0\n", "at least 1"),
        (doc(head="version: 2"), "newer Transcript Reader"),
        ("version: 1\ndocument: [a]\n", "'document': must be a mapping"),
        ("version: 1\ndocument: {title: 3}\n", "'document.title': must be text"),
        (doc("{a: 1}"), "'annotations': must be a list"),
        (doc("[3]"), "annotations[0]: must be a mapping"),
        (doc("[{color: yellow}]"), "annotations[0]: field 'id'"),
        (doc(f"[{VALID_ENTRY}, {{id: b2, color: 7}}]"), "annotations[1] (id b2): field 'color'"),
        (doc("[{id: b2, color: blue, created: yesterday}]"), "annotations[0] (id b2): field 'created'"),
        (doc("[{id: b2, color: blue, created: 2026-11-29T10:00:00Z}]"), "(id b2): field 'target'"),
        (
            doc(
                "[{id: b2, color: blue, created: 2026-11-29T10:00:00Z, target: {start: x, end: 3, exact: a}}]"
            ),
            "annotations[0] (id b2): field 'target.start'",
        ),
        (
            doc(
                "[{id: b2, color: blue, created: 2026-11-29T10:00:00Z, target: {start: true, end: 3, exact: a}}]"
            ),
            "field 'target.start'",
        ),
        (
            doc(
                "[{id: b2, color: blue, created: 2026-11-29T10:00:00Z, target: {start: -1, end: 3, exact: a}}]"
            ),
            "field 'target.start'",
        ),
        (
            doc(
                "[{id: b2, color: blue, created: 2026-11-29T10:00:00Z, target: {start: 5, end: 3, exact: a}}]"
            ),
            "field 'target.end' (3) must be greater",
        ),
        (
            doc("[{id: b2, color: blue, created: 2026-11-29T10:00:00Z, target: {start: 1, end: 3}}]"),
            "field 'target.exact'",
        ),
        (
            doc(
                "[{id: b2, color: blue, created: 2026-11-29T10:00:00Z, target: {start: 1, end: 3, exact: [a]}}]"
            ),
            "field 'target.exact' must be text",
        ),
        (doc(f"[{VALID_ENTRY[:-1]}, note: 5}}]"), "(id a1): field 'note'"),
        (doc(f"[{VALID_ENTRY[:-1]}, tags: ai}}]"), "(id a1): field 'tags'"),
        (doc(f"[{VALID_ENTRY[:-1]}, tags: [1, 2]}}]"), "(id a1): field 'tags'"),
        (doc(f"[{VALID_ENTRY}, {VALID_ENTRY}]"), "annotations[1] (id a1): field 'id' repeats annotations[0]"),
        ("version: 1\ncolors: [yellow]\n", "'colors'"),
        ("version: 1\ncolors: {yellow: 3}\n", "'colors.yellow'"),
        ("version: 1\noutline: {a: 1}\n", "'outline': must be a list"),
        ("version: 1\noutline: [a]\n", "outline[0]: must be a mapping"),
        ("version: 1\ndeleted: [{id: x, deleted: soon}]\n", "deleted[0] (id x): field 'deleted'"),
        ("version: 1\ndeleted: [{deleted: 2026-11-29T10:00:00Z}]\n", "deleted[0]: field 'id'"),
        ("version: 1\n---\nversion: 1\n", "more than one YAML document"),
        ("version: 1\nx: &a 1\n", "anchors (&a) are not allowed"),
        ("version: 1\nx: !!python/object/apply:os.system [echo hi]\n", "not valid YAML"),
        ("version: 1\nx: \x00\n", "not valid YAML"),
    ],
)
def test_rejections_name_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnnotationFileError) as info:
        load(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value) and info.value.path == path
    assert path.read_text(encoding="utf-8") == text  # never touched


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("version: 1\nx: caf\xe9\n".encode("latin-1"))
    with pytest.raises(AnnotationFileError, match="not UTF-8"):
        load(path)


def test_billion_laughs_is_refused_before_construction(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("version: 1\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationFileError, match="anchors"):
        load(path)
    path.write_text("version: 1\nx: *a0\n", encoding="utf-8")  # an alias without an anchor
    with pytest.raises(AnnotationFileError):
        load(path)


@pytest.mark.parametrize(
    "nested",
    ["[" * 10_000 + "1" + "]" * 10_000, "{a: " * 10_000 + "1" + "}" * 10_000, "\n  " + "- " * 10_000 + "1"],
    ids=["flow-list", "flow-map", "block-list"],
)
def test_ten_thousand_levels_of_nesting_are_refused(tmp_path: Path, nested: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("version: 1\nx: " + nested + "\n", encoding="utf-8")
    with pytest.raises(AnnotationFileError, match="nested deeper than 40|nesting depth"):
        load(path)
    assert read_document_header(path) is None


def test_block_nesting_just_under_the_limit_loads(tmp_path: Path) -> None:
    nested = "".join("  " * i + f"k{i}:\n" for i in range(37)) + "  " * 37 + "leaf: 1\n"
    path = tmp_path / "ok.yaml"
    path.write_text(
        "version: 1\nx:\n" + "".join("  " + line + "\n" for line in nested.splitlines()), encoding="utf-8"
    )
    assert "x" in load(path).extra


def test_a_100_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.write(b"version: 1\n")
        handle.truncate(100 * 1024 * 1024)  # sparse
    with pytest.raises(AnnotationFileError, match=f"limited to {store.MAX_FILE_BYTES // 2**20} MB"):
        load(path)
    assert read_document_header(path) is None
    with pytest.raises(AnnotationFileError, match="limited"):
        store.parse(b" " * (store.MAX_FILE_BYTES + 1))


def test_missing_file_is_an_annotation_file_error(tmp_path: Path) -> None:
    with pytest.raises(AnnotationFileError, match="cannot read"):
        load(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------------------------- atomic saves


def test_save_keeps_previous_version_as_bak_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.yaml"
    first = make_file(note(2, 9, note="first"))
    save(path, first)
    assert not backup_path(path).exists()
    old_text = path.read_text(encoding="utf-8")
    second = make_file(note(2, 9, note="second"))
    save(path, second)
    assert backup_path(path).name == "a.yaml.bak"
    assert backup_path(path).read_text(encoding="utf-8") == old_text
    assert load(path).annotations[0].note == "second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.yaml", "a.yaml.bak"]


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_full_disk_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "a.yaml"
    save(path, make_file(note(2, 9, note="precious")))
    before = path.read_bytes()

    def no_space(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, failing, no_space)
    with pytest.raises(AnnotationFileError, match="the disk is full.*previous file is unchanged"):
        save(path, make_file(note(2, 9, note="new")))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


def test_stale_temp_files_are_cleaned_up(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    stale = tmp_path / ".a.yaml.999.deadbeef.tmp"
    fresh = tmp_path / ".a.yaml.998.cafebabe.tmp"
    stale.write_text("half")
    fresh.write_text("half")
    os.utime(stale, (0, 0))
    save(path, make_file())
    assert not stale.exists() and fresh.exists()


def test_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    assert not changed_on_disk(path, None)
    stamp = save(path, make_file(note(2, 9)))
    assert not changed_on_disk(path, stamp)
    os.utime(path, ns=(stamp.mtime_ns + 5_000_000_000, stamp.mtime_ns + 5_000_000_000))
    assert not changed_on_disk(path, stamp)  # touched, same bytes
    path.write_text(path.read_text(encoding="utf-8") + "extra: 1\n", encoding="utf-8")
    assert changed_on_disk(path, stamp)
    path.unlink()
    assert changed_on_disk(path, stamp)
    assert changed_on_disk(backup_path(path), None) is False


# --------------------------------------------------------------------------------------------- store + merge


def test_store_never_overwrites_a_file_it_could_not_load(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("version: 1\nannotations: [oops\n", encoding="utf-8")
    keeper = AnnotationStore(path)
    with pytest.raises(AnnotationFileError):
        keeper.load()
    with pytest.raises(AnnotationFileError, match="not saved"):
        keeper.save(make_file(note(2, 9)))
    assert path.read_text(encoding="utf-8") == "version: 1\nannotations: [oops\n"


def test_store_refuses_to_merge_into_a_file_broken_since_loading(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    keeper = AnnotationStore(path)
    content = keeper.load(DocumentRef("Sample", SHA))
    content.upsert(note(2, 9))
    keeper.save(content)
    path.write_text("version: [\n", encoding="utf-8")
    with pytest.raises(AnnotationFileError, match="not valid YAML"):
        keeper.save(content)
    assert path.read_text(encoding="utf-8") == "version: [\n"


def test_two_windows_editing_different_annotations_keep_both(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    a, b = note(2, 9), note(41, 57)
    save(path, make_file(a, b))
    one, two = AnnotationStore(path), AnnotationStore(path)
    mine, theirs = one.load(), two.load()
    mine.upsert(a.edited(note="from one", now="2026-11-29T11:00:00Z"))
    theirs.upsert(b.edited(note="from two", now="2026-11-29T11:00:01Z"))
    added = note(60, 66, when="2026-11-29T11:00:02Z")
    theirs.upsert(added)
    one.save(mine)
    merged = two.save(theirs)
    assert {x.id: x.note for x in merged.annotations} == {a.id: "from one", b.id: "from two", added.id: ""}
    assert load(path) == merged
    assert one.changed_on_disk() and not two.changed_on_disk()


def test_same_annotation_edited_twice_newest_wins_either_order() -> None:
    a = note(2, 9)
    older = make_file(a.edited(note="older", now="2026-11-29T11:00:00Z"))
    newer = make_file(a.edited(note="newer", now="2026-11-29T11:00:00.001Z"))
    assert merge(older, newer).annotations[0].note == "newer"
    assert merge(newer, older).annotations[0].note == "newer"
    tie = make_file(a.edited(note="ours", now="2026-11-29T11:00:00.001Z"))
    assert merge(tie, newer).annotations[0].note == "ours"


def test_delete_versus_edit_newest_wins() -> None:
    a = note(2, 9)
    edited = make_file(a.edited(note="edited", now="2026-11-29T12:00:00Z"))
    deleted_early = make_file()
    deleted_early.deleted.append(Tombstone(a.id, "2026-11-29T11:00:00Z"))
    deleted_late = make_file()
    deleted_late.deleted.append(Tombstone(a.id, "2026-11-29T13:00:00Z"))
    for ours, theirs in ((edited, deleted_early), (deleted_early, edited)):
        merged = merge(ours, theirs)
        assert [x.note for x in merged.annotations] == ["edited"] and merged.deleted == []
    for ours, theirs in ((edited, deleted_late), (deleted_late, edited)):
        merged = merge(ours, theirs)
        assert merged.annotations == [] and merged.deleted == [Tombstone(a.id, "2026-11-29T13:00:00Z")]


def test_remove_and_restore_manage_tombstones() -> None:
    a = note(2, 9)
    content = make_file(a)
    assert content.remove(a.id, now="2026-11-29T13:00:00Z") == a
    assert content.annotations == [] and content.deleted == [Tombstone(a.id, "2026-11-29T13:00:00Z")]
    assert content.remove(a.id) is None
    content.restore(a)
    assert content.annotations == [a] and content.deleted == []


def test_three_way_merge_respects_hand_deletions_and_untouched_settings(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    a, b = note(2, 9), note(41, 57)
    save(path, make_file(a, b))
    keeper = AnnotationStore(path)
    mine = keeper.load()
    mine.upsert(b.edited(note="mine", now="2026-11-29T12:00:00Z"))
    # Someone deletes `a` in a text editor and renames a colour.
    theirs = load(path)
    theirs.annotations = [b]
    theirs.colors["yellow"] = "Big idea"
    save(path, theirs)
    merged = keeper.save(mine)
    assert [x.id for x in merged.annotations] == [b.id] and merged.annotations[0].note == "mine"
    assert merged.colors["yellow"] == "Big idea"


# --------------------------------------------------------------------------------------------- lookup


def test_annotations_path_uses_slug_and_hash_prefix(tmp_path: Path) -> None:
    path = annotations_path(tmp_path, "Lex Fridman #383: Mark Zuckerberg — Ünïcode", SHA)
    assert path == tmp_path / f"lex-fridman-383-mark-zuckerberg-unicode-{SHA[:12]}.yaml"
    assert annotations_path(tmp_path, "???", SHA).name == f"transcript-{SHA[:12]}.yaml"


def test_find_by_hash_by_header_by_source_or_new(tmp_path: Path) -> None:
    other_sha = "f" * 64
    # A new document: a new path, named after the source file.
    path, reanchor = find_annotation_file(tmp_path, SHA, "/data/My Talk.txt")
    assert (path, reanchor) == (tmp_path / f"my-talk-{SHA[:12]}.yaml", False)
    assert not tmp_path.joinpath("annotations").exists()
    save(path, make_file(note(2, 9)))
    assert find_annotation_file(tmp_path, SHA, "/elsewhere/copy.txt") == (path, False)
    renamed = tmp_path / "renamed-by-user.yaml"
    path.rename(renamed)
    assert find_annotation_file(tmp_path, SHA, None) == (renamed, False)
    # The transcript changed on disk: same source path, new hash.
    assert find_annotation_file(tmp_path, other_sha, "/tmp/sample.txt") == (renamed, True)
    assert find_annotation_file(tmp_path, other_sha, "/tmp/other.txt")[1] is False


def test_find_returns_a_broken_file_with_the_right_name(tmp_path: Path) -> None:
    broken = tmp_path / f"sample-{SHA[:12]}.yaml"
    broken.write_text("version: [\n", encoding="utf-8")
    assert find_annotation_file(tmp_path, SHA, "/tmp/x.txt") == (broken, False)


def test_read_document_header_anywhere_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "version: 1\nannotations: [{id: a, nested: {deep: [1, {x: 2}]}}]\nother: x\n"
        "document: {title: T, sha256: abc, source: /s.txt, extra: [1, 2]}\n",
        encoding="utf-8",
    )
    assert read_document_header(path) == {"title": "T", "sha256": "abc", "source": "/s.txt"}
    path.write_text("- not a mapping\n", encoding="utf-8")
    assert read_document_header(path) is None
    path.write_text("version: 1\n", encoding="utf-8")
    assert read_document_header(path) is None


TRICKY_TEXTS = [
    "yes",
    "No",
    "on",
    "null",
    "~",
    "",
    " ",
    "12",
    "1:20",
    "0x1F",
    "1e3",
    ".inf",
    "2026-11-29",
    "2026-11-29T10:00:00Z",
    "- item",
    "key: value",
    "# comment",
    "'quoted'",
    '"double"',
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    " leading",
    "trailing ",
    "multi\nline",
    "multi\nline with trailing space \n",
    "\ttab",
    "tab\tinside",
    "naïve café 日本語 😀",
    "line\u2028separator",
    "control\x07bell",
    "a" * 300,
    "long " * 60,
    "{flow}",
    "[list]",
]


@pytest.mark.parametrize("value", TRICKY_TEXTS)
def test_fast_dump_matches_pyyaml_and_round_trips(tmp_path: Path, value: str) -> None:
    text = f"x{value}y and more words"
    item = Annotation.create(
        text,
        1,
        1 + max(len(value), 1),
        note=value,
        tags=[value, "t"] if value.strip() else [],
        color=value.strip() or "yellow",
        now="2026-11-29T10:00:00Z",
    )
    content = make_file(item)
    content.colors[value] = value
    content.outline = [{"title": value, "n": 1.5, value: [None, True, 3]}]
    content.extra = {
        "when": __import__("datetime").date(2026, 1, 1),
        "blob": b"\x00\x01",
        value: {"deep": [value]},
    }
    assert store.dump(content) == yaml_writer._dump_with_representer(content)
    path = tmp_path / "a.yaml"
    save(path, content)
    assert load(path) == content


def test_old_tombstones_are_pruned_when_the_store_saves(tmp_path: Path) -> None:
    content = make_file()
    content.deleted = [Tombstone("old", "2020-01-01T00:00:00Z"), Tombstone("new", "2026-11-29T10:00:00Z")]
    now = parse_timestamp("2026-12-01T00:00:00Z")
    assert [t.id for t in store.prune_tombstones(content, now).deleted] == ["new"]
    assert store.prune_tombstones(make_file(), now).deleted == []
    keeper = AnnotationStore(tmp_path / "a.yaml")
    keeper.load()
    written = keeper.save(content)
    assert "old" not in [t.id for t in written.deleted]
    assert [t.id for t in load(tmp_path / "a.yaml").deleted] == [t.id for t in written.deleted]


def test_pure_python_yaml_gives_the_same_results() -> None:
    """Without LibYAML (a PyYAML wheel built without it) loading, refusing and writing behave the same."""
    import subprocess
    import sys

    script = (
        "import yaml\n"
        "del yaml.CSafeLoader, yaml.CSafeDumper\n"
        "from desktop_app.annotations import store as st, yaml_scalars\n"
        "assert yaml_scalars.LOADER is yaml.SafeLoader\n"
        f"golden = open({str(DATA / 'canonical.yaml')!r}, encoding='utf-8').read()\n"
        "assert st.dump(st.parse(golden)) == golden\n"
        "for bad in ('x: &a 1', 'x: ' + '[' * 100 + ']' * 100):\n"
        "    try:\n"
        "        st.parse('version: 1\\n' + bad)\n"
        "    except st.AnnotationFileError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit('accepted: ' + bad)\n"
        "print('ok')\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr
