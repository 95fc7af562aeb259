"""Writing a whole text file atomically: a reader, or a crash mid-write, never sees half of it.

The annotations file has its own, stricter writer (fsync, ``.bak``; ``annotations/store.py``); this one is
for files that can be written again (cache entries, exports). Both treat an existing file the same way:

- a symbolic link is written through: its target is replaced, atomically, in the target's folder (a link
  into a synced folder stays a link);
- the file keeps its permission bits (a 0600 file stays 0600);
- a read-only file (no write permission for its owner, or none for us) is refused with
  :class:`WriteRefused`, never replaced;
- a file with several hard links is replaced like any other (atomicity first): the other names keep the
  previous content.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class WriteRefused(PermissionError):
    """The file exists and must not be replaced (read-only, or not a regular file); ``str()`` says why."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.path = Path(path)
        self.reason = reason


def resolve_target(path: str | os.PathLike[str]) -> Path:
    """The file that a write to ``path`` must replace: symbolic links followed."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(path)


def kept_mode(target: Path) -> int | None:
    """The permission bits a rewrite of ``target`` keeps (None: no file yet); :class:`WriteRefused` for a
    read-only file or one that is not a regular file."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(existing.st_mode):
        raise WriteRefused(target, "not written: this is not a regular file")
    mode = stat.S_IMODE(existing.st_mode)
    if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise WriteRefused(
            target, "not written: the file is read-only (make it writable or choose another file)"
        )
    return mode


def write_text_atomic(path: str | Path, content: str) -> None:
    """Write ``content`` to a temporary file beside the target of ``path``, then replace the target with it.

    Raises :class:`WriteRefused` for a read-only file, ``OSError`` when the write fails (the old file is
    then unchanged).
    """
    target = resolve_target(path)
    mode = kept_mode(target)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    current = os.umask(0o022)
    os.umask(current)
    return current
