"""Results that depend only on the document text, cached as JSON under the user cache folder.

Keyed by the text's sha256, the kind of result and its algorithm version. Nothing read back is trusted: an
entry must be a regular file under a size bound, strict JSON (no ``Infinity``/``NaN``, bounded nesting), carry
the checksum of its value (written with it) and, for the kinds the app stores (``readable``, ``outline``), hold
offsets that fit the text it claims to describe (its length is stored with it, and checked against the text
when the caller passes it) in order, with no empty paragraph. Anything else is a miss: the entry is removed and
the caller recomputes and stores it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import stat
from typing import TYPE_CHECKING, Any

from desktop_app.atomic_file import write_text_atomic

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

logger = logging.getLogger(__name__)

MAX_ENTRY_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 16  # the app's entries nest 4 levels at most
MAX_OFFSET = 2**31 - 1


class InvalidEntry(ValueError):
    """A cache entry that parses but is not what it claims to be."""


def cache_file(cache_dir: Path, kind: str, sha256: str, version: str) -> Path:
    """Where the entry of ``kind`` for a text (by its sha256) and an algorithm version lives."""
    safe_version = "".join(ch if ch.isalnum() or ch in ".-_" else "_" for ch in str(version))
    safe_kind = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(kind)) or "_"
    safe_sha = "".join(ch for ch in str(sha256) if ch.isalnum())[:128]
    return cache_dir / safe_kind / f"{safe_sha}-{safe_version}.json"


def checksum(value: Any) -> str:
    """The sha256 of ``value``'s canonical JSON."""
    canonical = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load(cache_dir: Path, kind: str, sha256: str, version: str, text: str | None = None) -> Any | None:
    """The cached value, or ``None`` when it is missing, unreadable or invalid (an invalid entry is removed).

    ``text``, when given, is the document text the entry must describe (its length bounds every offset).
    """
    path = cache_file(cache_dir, kind, sha256, version)
    try:
        raw = _read_regular(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.info("cache entry %s unreadable (%s); recomputing", path, error)
        return None
    except InvalidEntry as error:  # a FIFO, a device, a huge file: removed, so that the store can write one
        logger.info("cache entry %s unusable (%s); recomputing", path, error)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    try:
        return _validated(raw, kind, sha256, version, None if text is None else len(text))
    except (InvalidEntry, ValueError, TypeError, RecursionError, OverflowError) as error:
        logger.info("cache entry %s invalid (%s); recomputing", path, error)
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def store(cache_dir: Path, kind: str, sha256: str, version: str, value: Any, text: str | None = None) -> None:
    """Write atomically; failures (full disk, read-only folder) only cost a recomputation next time."""
    path = cache_file(cache_dir, kind, sha256, version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = {"sha256": sha256, "version": version, "checksum": checksum(value)}
        if text is not None:
            payload["length"] = len(text)
        payload["value"] = value
        write_text_atomic(path, json.dumps(payload, separators=(",", ":"), allow_nan=False))
    except (OSError, ValueError, TypeError) as error:
        logger.warning("could not write cache entry %s: %s", path, error)


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file (a FIFO or a device is refused without blocking), at most the bound."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidEntry("not a regular file")
        if info.st_size > MAX_ENTRY_BYTES:
            raise InvalidEntry(f"{info.st_size} bytes")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_ENTRY_BYTES:
                raise InvalidEntry("grew past the bound while read")
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _no_constant(name: str) -> Any:
    raise InvalidEntry(f"{name} is not a number JSON allows")


def _validated(raw: bytes, kind: str, sha256: str, version: str, length: int | None) -> Any:
    payload = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    if not isinstance(payload, dict) or payload.get("sha256") != sha256 or payload.get("version") != version:
        raise InvalidEntry("another text or version")
    value = payload.get("value")
    check = VALIDATORS.get(kind)
    if check is None:  # a kind with a validator has its whole shape checked there, faster
        _check_depth(value, 0)
    if payload.get("checksum") != checksum(value):
        raise InvalidEntry("checksum does not match")
    stored = payload.get("length")
    if stored is not None and (not _is_int(stored) or (length is not None and stored != length)):
        raise InvalidEntry(f"made for a text of {stored!r} characters, not {length}")
    bound = length if length is not None else stored if stored is not None else MAX_OFFSET
    if check is not None:
        check(value, bound)
    return value


def _check_depth(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidEntry(f"nested deeper than {MAX_DEPTH}")
    if isinstance(value, dict):
        for item in value.values():
            _check_depth(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _check_depth(item, depth + 1)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidEntry("a number that is not finite")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _offset(value: Any, bound: int, what: str) -> int:
    if not _is_int(value) or not 0 <= value <= bound:
        raise InvalidEntry(f"{what} {value!r} is not an offset within the text (0..{bound})")
    return int(value)


def _check_readable(value: Any, bound: int) -> None:
    """Paragraphs of sentences ``[start, end, mark]``: non-empty, in order, not overlapping, within the text.

    Checked inline, without a call per number: this runs on every opening of a document before its first paint.
    """
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("paragraphs"), list)
        or not value["paragraphs"]
    ):
        raise InvalidEntry("no paragraphs")
    last = 0
    for paragraph in value["paragraphs"]:
        if type(paragraph) is not list or not paragraph:
            raise InvalidEntry("an empty paragraph")
        for sentence in paragraph:
            if type(sentence) is not list or len(sentence) != 3:
                raise InvalidEntry(f"a sentence is {sentence!r:.80}")
            start, end, mark = sentence
            if (
                type(start) is not int or type(end) is not int or type(mark) is not str
            ):  # JSON: no int subclass
                raise InvalidEntry(f"a sentence is {sentence!r:.80}")
            if not last <= start < end <= bound:
                raise InvalidEntry(f"sentence [{start}, {end}) out of order or outside the text (0..{bound})")
            last = end
    for name in ("commas", "capitalize", "outline_starts"):
        items = value.get(name, [])
        if type(items) is not list:
            raise InvalidEntry(f"{name} is not a list")
        if items and (set(map(type, items)) != {int} or min(items) < 0 or max(items) > bound):
            raise InvalidEntry(f"{name} are not offsets within the text (0..{bound})")
    if not isinstance(value.get("already_punctuated", False), bool):
        raise InvalidEntry("already_punctuated is not true/false")
    if not isinstance(value.get("version", ""), str):
        raise InvalidEntry("version is not text")


def _check_outline(value: Any, bound: int) -> None:
    """Sections ``{title, start, end, keywords}`` covering the text in order, none empty."""
    if not isinstance(value, list) or not value:
        raise InvalidEntry("no sections")
    last = 0
    for record in value:
        if not isinstance(record, dict) or not isinstance(record.get("title"), str):
            raise InvalidEntry(f"a section is {record!r:.80}")
        start, end = _offset(record.get("start"), bound, "start"), _offset(record.get("end"), bound, "end")
        if start != last or end <= start:
            raise InvalidEntry(f"section [{start}, {end}) does not follow the previous one")
        last = end
        keywords = record.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise InvalidEntry("keywords are not a list of text")


VALIDATORS: dict[str, Callable[[Any, int], None]] = {"readable": _check_readable, "outline": _check_outline}
"""Invariants per kind of entry, given the value and the text length (or the stored one)."""
