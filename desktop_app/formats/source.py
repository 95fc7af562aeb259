"""Reading a transcript file's bytes safely and decoding them (no Qt).

Only regular files are opened (a FIFO, a device such as ``/dev/zero`` or a socket is refused before it is
opened, so nothing blocks), and never more than the size limit is read, whatever the file claims.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from typing import TYPE_CHECKING

from desktop_app.formats.model import TranscriptError

if TYPE_CHECKING:
    from pathlib import Path

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Bigger files are refused: a transcript of 64 MB is ~10 million words, far beyond any interview."""

_CHUNK = 1 << 20
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or a :class:`TranscriptError` that says plainly what is wrong."""
    try:
        try:
            info = path.stat()
        except FileNotFoundError:
            raise TranscriptError(f"The file {path} does not exist.") from None
        if stat.S_ISDIR(info.st_mode):
            raise TranscriptError(f"{path} is a folder, not a transcript file.")
        if not stat.S_ISREG(info.st_mode):
            raise TranscriptError(
                f"{path} is not a regular file (it is a {_kind(info.st_mode)}); only "
                f"transcript files saved on disk can be opened."
            )
        if info.st_size > max_bytes:
            raise _too_big(path, info.st_size, max_bytes)
        return _read_bounded(path, max_bytes)
    except PermissionError as error:
        raise TranscriptError(f"You do not have permission to read {path}.") from error
    except OSError as error:
        raise TranscriptError(f"{path} could not be read: {error.strerror or error}.") from error


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` (+1 to notice more); O_NONBLOCK so a file swapped for a FIFO between
    the check and the open cannot block, and the opened file is checked again."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with open(path, "rb", buffering=0, opener=lambda p, _f: os.open(p, flags)) as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise TranscriptError(f"{path} is not a regular file (it is a {_kind(info.st_mode)}).")
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            try:
                chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    if total > max_bytes:
        raise _too_big(path, total, max_bytes)
    return b"".join(chunks)


def _too_big(path: Path, size: int, max_bytes: int) -> TranscriptError:
    return TranscriptError(
        f"{path.name} is {size / 2**20:.0f} MB or more; transcripts up to {max_bytes // 2**20} MB can be opened "
        f"here (the seed episode, three hours of talk, is 0.15 MB)."
    )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def decode(data: bytes, name: str = "the file") -> tuple[str, list[str]]:
    """Decode transcript bytes: UTF-8 (BOM allowed), UTF-16 (with a BOM, or Latin-script text without one), else
    cp1252 with a warning."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8", name)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", name)
    elif b"\x00" in data and (bomless := _bomless_utf16(data)) is not None:
        text = bomless  # UTF-16 saved without its byte order mark (some Windows tools)
    else:
        if b"\x00" in data:
            raise TranscriptError(
                f"{name} looks like a binary file (it contains NUL bytes), not a transcript."
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            warnings.append(f"{name} is not UTF-8; it was read as Windows-1252 (Western European).")
    if "\x00" in text:
        raise TranscriptError(f"{name} contains NUL characters; it does not look like a transcript.")
    if _control_share(text) > 0.01:
        raise TranscriptError(f"{name} looks like a binary file, not a transcript.")
    return normalize_newlines(text), warnings


def _bomless_utf16(data: bytes) -> str | None:
    """The text of UTF-16 bytes without a byte order mark, told by the zero half of nearly every character
    of a Latin-script text (one side of each byte pair); None when the bytes are not that."""
    sample = data[:4000]
    if len(data) % 2 or len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= 0.6 * pairs and others <= 0.01 * pairs:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise TranscriptError(f"{name} is not valid {encoding.upper()} text ({error.reason}).") from error


def _control_share(text: str) -> float:
    sample = text[:200_000]
    if not sample:
        return 0.0
    return len(_CONTROL_RE.findall(sample)) / len(sample)


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` become ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
