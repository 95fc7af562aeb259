"""The annotations list of the file, written and read without an event per scalar (issue 16: 100,000 highlights
saved and loaded in a few seconds).

LibYAML costs about a microsecond per event once Python has made the event, and an annotation has 25 of them,
so the ``annotations:`` block of a file the app wrote is handled here, line by line, for the entries in the
canonical shape the app writes (the fields in their order, strings that are plain, single-quoted or literal
blocks, nothing unknown). The output is byte for byte what LibYAML emits (``tests/test_fastyaml.py`` compares
them on random content); anything else (an unusual string, an unknown field, a hand-edited entry in another
style) makes :func:`entry_text` / :func:`parse_entries` return ``None`` and the caller uses LibYAML for it.
No Qt here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

WIDTH = 110  # LibYAML's line width in our dumper
_UNSAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_UNSAFE_BLOCK = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_EASY = re.compile(
    r"[A-Za-z\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f ,.'?!;()\u2019\u201c\u201d\u2026-]*(?<! )\Z"
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_ALWAYS_INDICATOR = set("#,[]{}&*!|>'\"%@`")
_FLOW = set(",?[]{}:")


def plain_ok(value: str, resolves_to_str: Callable[[str], bool], flow: bool = False) -> bool:
    """True if LibYAML writes ``value`` (a string with no line breaks, tabs or unprintable characters) as a
    plain scalar: LibYAML's own rules (``yaml_emitter_analyze_scalar``), and a plain reading must give text."""
    if not flow and _EASY.match(value):  # words and light punctuation: only true/false/null words resolve
        return len(value) > 5 or resolves_to_str(value)
    if _UUID.match(value):
        return True  # no YAML type reads a uuid
    if not value or _UNSAFE.search(value) or value[0] == " " or value[-1] == " ":
        return False
    first = value[0]
    if first in _ALWAYS_INDICATOR or value.startswith(("---", "...")):
        return False
    if first in "?:-" and (len(value) == 1 or value[1] == " "):
        return False
    if ": " in value or " #" in value or value[-1] == ":":
        return False
    if flow and not _FLOW.isdisjoint(value):
        return False
    return resolves_to_str(value)


def _fold(value: str, column: int, indent: int, quoted: bool) -> tuple[str, int]:
    """LibYAML's folding of a long plain or single-quoted scalar: a space becomes a line break when the
    column is past the width (not after another space, nor before one, nor at the ends of a quoted one)."""
    out: list[str] = []
    spaces = False
    last = len(value) - 1
    for i, ch in enumerate(value):
        if ch == " ":
            if not spaces and column > WIDTH and i < last and value[i + 1] != " " and (not quoted or i != 0):
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(" ")
                column += 1
            spaces = True
        else:
            if quoted and ch == "'":
                out.append("''")
                column += 2
            else:
                out.append(ch)
                column += 1
            spaces = False
    return "".join(out), column


def scalar(value: str, column: int, indent: int, resolves_to_str: Callable[[str], bool]) -> str | None:
    """The text LibYAML writes for a string mapping value starting at ``column`` (continuation lines at
    ``indent``); None when unsure."""
    if "\n" in value:
        return _literal(value, indent)
    if _UNSAFE.search(value):
        return None
    if not value:
        return "''"
    if plain_ok(value, resolves_to_str):
        if column + len(value) <= WIDTH:
            return value
        return _fold(value, column, indent, False)[0]
    text, _ = _fold(value, column + 1, indent, True)
    return f"'{text}'"


def _literal(value: str, indent: int) -> str | None:
    """A ``|`` block for text with line breaks (only the cases LibYAML writes that way, and simply)."""
    if _UNSAFE_BLOCK.search(value) or value[0] in " \n" or " \n" in value or "\n " in value:
        return None
    if value.endswith("\n\n") or value.endswith(" "):
        return None
    if value.endswith("\n"):
        head, body = "|", value[:-1]
    else:
        head, body = "|-", value
    pad = " " * indent
    return head + "".join(f"\n{pad}{line}" if line else "\n" for line in body.split("\n"))


def entry_text(entry: dict[str, Any], resolves_to_str: Callable[[str], bool]) -> str | None:
    """The lines of one canonical entry (``- id: …`` to the end of its tags), or None to let LibYAML write it."""
    target = entry["target"]
    if len(entry) != 7 or len(target) != 5:
        return None  # unknown fields: LibYAML
    return fields_text(
        entry["id"],
        entry["color"],
        str(entry["created"]),
        str(entry["updated"]),
        target["start"],
        target["end"],
        target["exact"],
        target["prefix"],
        target["suffix"],
        entry["note"],
        entry["tags"],
        resolves_to_str,
    )


def fields_text(
    ident: str,
    color: str,
    created: str,
    updated: str,
    start: int,
    end: int,
    exact: str,
    prefix: str,
    suffix: str,
    note: str,
    tags: Any,
    resolves_to_str: Callable[[str], bool],
) -> str | None:
    """:func:`entry_text` from the fields (no mapping built); ``created``/``updated`` are canonical stamps."""
    if type(start) is not int or type(end) is not int:
        return None
    if (
        not plain_ok(ident, resolves_to_str)
        or len(ident) > 80
        or not plain_ok(color, resolves_to_str)
        or len(color) > 80
    ):
        return None
    exact_text = scalar(exact, 11, 6, resolves_to_str)
    prefix_text = scalar(prefix, 12, 6, resolves_to_str)
    suffix_text = scalar(suffix, 12, 6, resolves_to_str)
    note_text = scalar(note, 8, 4, resolves_to_str)
    tags_text = _tags(tags, resolves_to_str) if tags else "[]"
    if (
        exact_text is None
        or prefix_text is None
        or suffix_text is None
        or note_text is None
        or tags_text is None
    ):
        return None
    return (
        f"- id: {ident}\n  color: {color}\n  created: {created}\n  updated: {updated}\n"
        f"  target:\n    start: {start}\n    end: {end}\n    exact: {exact_text}\n    prefix: {prefix_text}\n"
        f"    suffix: {suffix_text}\n  note: {note_text}\n  tags: {tags_text}\n"
    )


def _tags(tags: list[str], resolves_to_str: Callable[[str], bool]) -> str | None:
    parts = []
    for tag in tags:
        if plain_ok(tag, resolves_to_str, flow=True):
            parts.append(tag)
        elif "\n" in tag or _UNSAFE.search(tag):
            return None
        else:
            parts.append("'" + tag.replace("'", "''") + "'")
    text = "[" + ", ".join(parts) + "]"
    return text if len(text) + 8 <= WIDTH else None


# --------------------------------------------------------------------------------------------- reading

_HEAD = re.compile(
    r"- id: (?P<id>[^\n]*)\n  color: (?P<color>[^\n]*)\n  created: (?P<created>[^\n]*)\n"
    r"  updated: (?P<updated>[^\n]*)\n  target:\n    start: (?P<start>0|[1-9][0-9]{0,9})\n"
    r"    end: (?P<end>0|[1-9][0-9]{0,9})\n"
)
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z\Z")


def parse_entries(
    block: str, resolves_to_str: Callable[[str], bool], stamp: Callable[[str], Any]
) -> list[dict[str, Any]] | None:
    """The entries of an ``annotations:`` block (the lines after that key) in the canonical shape, as plain
    data (what LibYAML would construct); None if any entry is in another shape."""
    if not block:
        return []
    entries = []
    position, size = 0, len(block)
    while position < size:
        simple = _SIMPLE_ENTRY.match(block, position)
        if simple is not None:  # every value on its line: one match, then each value checked
            entry = _simple_entry(simple, resolves_to_str, stamp)
            if entry is not None:
                entries.append(entry)
                position = simple.end()
                continue
        head = _HEAD.match(block, position)
        if head is None:
            return None
        ident, color = head["id"], head["color"]
        if not plain_ok(ident, resolves_to_str) or not plain_ok(color, resolves_to_str):
            return None
        created, updated = head["created"], head["updated"]
        if not _STAMP.match(created) or not _STAMP.match(updated):
            return None
        position = head.end()
        values = []
        for key, indent in (("    exact: ", 6), ("    prefix: ", 6), ("    suffix: ", 6), ("  note: ", 4)):
            found = _value(block, position, key, indent, resolves_to_str)
            if found is None:
                return None
            text, position = found
            values.append(text)
        tags = _parse_tags(block, position, resolves_to_str)
        if tags is None:
            return None
        tag_list, position = tags
        entries.append(
            {
                "id": ident,
                "color": color,
                "created": stamp(created),
                "updated": stamp(updated),
                "target": {
                    "start": int(head["start"]),
                    "end": int(head["end"]),
                    "exact": values[0],
                    "prefix": values[1],
                    "suffix": values[2],
                },
                "note": values[3],
                "tags": tag_list,
            }
        )
    return entries


_SIMPLE_ENTRY = re.compile(
    r"- id: (?P<id>[^\n]*)\n  color: (?P<color>[^\n]*)\n  created: (?P<created>[^\n]*)\n"
    r"  updated: (?P<updated>[^\n]*)\n  target:\n    start: (?P<start>0|[1-9][0-9]{0,9})\n"
    r"    end: (?P<end>0|[1-9][0-9]{0,9})\n    exact: (?P<exact>[^\n]*(?:\n {6}[^\n]*)*)\n"
    r"    prefix: (?P<prefix>[^\n]*(?:\n {6}[^\n]*)*)\n    suffix: (?P<suffix>[^\n]*(?:\n {6}[^\n]*)*)\n"
    r"  note: (?P<note>[^\n]*(?:\n {4}[^\n]*)*)\n  tags: \[(?P<tags>[^\n]*)\]\n(?![ \n])"
)
_PAD6, _PAD4 = "\n      ", "\n    "


def _simple_entry(
    found: re.Match[str], resolves_to_str: Callable[[str], bool], stamp: Callable[[str], Any]
) -> dict[str, Any] | None:
    ident, color, created, updated = found["id"], found["color"], found["created"], found["updated"]
    if not plain_ok(ident, resolves_to_str) or not plain_ok(color, resolves_to_str):
        return None
    if not _STAMP.match(created) or not _STAMP.match(updated):
        return None
    values = [
        _lines(found["exact"], _PAD6, resolves_to_str),
        _lines(found["prefix"], _PAD6, resolves_to_str),
        _lines(found["suffix"], _PAD6, resolves_to_str),
        _lines(found["note"], _PAD4, resolves_to_str),
    ]
    if None in values:
        return None
    tags = _tag_list(found["tags"], resolves_to_str) if found["tags"] else []
    if tags is None:
        return None
    exact, prefix, suffix, note = values
    return {
        "id": ident,
        "color": color,
        "created": stamp(created),
        "updated": stamp(updated),
        "target": {
            "start": int(found["start"]),
            "end": int(found["end"]),
            "exact": exact,
            "prefix": prefix,
            "suffix": suffix,
        },
        "note": note,
        "tags": tags,
    }


def _lines(value: str, pad: str, resolves_to_str: Callable[[str], bool]) -> str | None:
    """A value and its continuation lines (``pad``: a break and the indentation): folded, or a literal block."""
    if pad not in value:
        return _one_line(value, resolves_to_str)
    parts = value.split(pad)
    head, rest = parts[0], parts[1:]
    if any(not part or part[0] == " " for part in rest):
        return None
    if head in ("|", "|-"):
        text = "\n".join(rest) + ("\n" if head == "|" else "")
        if (
            _UNSAFE_BLOCK.search(text)
            or text[0] in " \n"
            or " \n" in text
            or "\n " in text
            or text.endswith(" ")
        ):
            return None
        return text
    return _one_line(" ".join(parts), resolves_to_str)


def _one_line(value: str, resolves_to_str: Callable[[str], bool]) -> str | None:
    """A value written on one line: ``''``, a single-quoted or a plain scalar (None: anything else)."""
    if value == "''":
        return ""
    if value[:1] == "'":
        if len(value) < 2 or value[-1] != "'":
            return None
        inner = value[1:-1]
        if "'" in inner.replace("''", "") or _UNSAFE.search(inner):
            return None
        return inner.replace("''", "'")
    if value in ("|", "|-") or not plain_ok(value, resolves_to_str):
        return None
    return value


def _value(
    block: str, position: int, key: str, indent: int, resolves_to_str: Callable[[str], bool]
) -> tuple[str, int] | None:
    if not block.startswith(key, position):
        return None
    position += len(key)
    line_end = block.find("\n", position)
    if line_end < 0:
        return None
    first = block[position:line_end]
    pad = " " * indent
    lines = [first]
    position = line_end + 1
    literal = first in ("|", "|-")
    while True:  # continuation lines (folded scalars, literal blocks; a literal's empty lines are bare)
        if block.startswith(pad, position):
            line_end = block.find("\n", position)
            if line_end < 0:
                return None
            lines.append(block[position + indent : line_end])
            position = line_end + 1
        elif literal and block.startswith("\n", position):
            lines.append("")
            position += 1
        else:
            break
    while literal and len(lines) > 1 and lines[-1] == "":  # bare lines after the block belong to no scalar
        lines.pop()
        position -= 1
    if first in ("|", "|-"):
        body = lines[1:]
        if not body or any(not line or line[0] == " " for line in body if line != ""):
            return None
        text = "\n".join(body) + ("\n" if first == "|" else "")
        return (
            (text, position)
            if _literal(text, indent) is not None and not _UNSAFE_BLOCK.search(text)
            else None
        )
    if any(not line or line[0] == " " for line in lines[1:]):
        return None
    if first.startswith("'"):
        joined = " ".join(lines)
        if len(joined) < 2 or not joined.endswith("'"):
            return None
        inner = joined[1:-1]
        if re.search(r"(?<!')'(?!')", inner.replace("''", "")):
            return None
        text = inner.replace("''", "'")
        return (text, position) if not _UNSAFE.search(text) else None
    text = " ".join(lines)
    if not plain_ok(text, resolves_to_str) and text != "":
        return None
    if text == "" or " #" in text:
        return None
    return text, position


def _parse_tags(
    block: str, position: int, resolves_to_str: Callable[[str], bool]
) -> tuple[list[str], int] | None:
    if not block.startswith("  tags: [", position):
        return None
    line_end = block.find("\n", position)
    if line_end < 0 or block[line_end - 1] != "]":
        return None
    tags = _tag_list(block[position + len("  tags: [") : line_end - 1], resolves_to_str)
    return None if tags is None else (tags, line_end + 1)


def _tag_list(inner: str, resolves_to_str: Callable[[str], bool]) -> list[str] | None:
    """The items of a flow list written by LibYAML (``a, 'b c'``), None if in another shape."""
    tags: list[str] = []
    if inner:
        for part in inner.split(", "):
            if part.startswith("'") and part.endswith("'") and len(part) >= 2:
                text = part[1:-1]
                if "'" in text.replace("''", "") or "," in text:
                    return None
                tags.append(text.replace("''", "'"))
            elif plain_ok(part, resolves_to_str, flow=True):
                tags.append(part)
            else:
                return None
    return tags
