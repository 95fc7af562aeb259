"""The annotations file on disk: a bounded read (:func:`load`), an atomic write (:func:`save`), change checks.

Owns everything that touches the file system for one annotations file. Reading refuses a file over
``file_model.MAX_FILE_BYTES`` before reading it, and a pipe, device or folder without waiting on it. Writing
is atomic: a temp file in the same folder, fsync, the previous version hard-linked (or copied) to
``<name>.bak`` (:func:`backup_path`), ``os.replace``, fsync of the folder; a symbolic link is written
through and the file keeps its permission bits. :class:`FileStamp` (size, time, sha256) records what was
last read or written, so that :func:`changed_on_disk` notices someone else's change. No Qt here.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import stat as stat_module
import time
import uuid
from pathlib import Path

from desktop_app.annotations import file_model
from desktop_app.annotations.file_model import AnnotationFile, AnnotationFileError, FileStamp
from desktop_app.annotations.yaml_reader import parse
from desktop_app.annotations.yaml_writer import dump

logger = logging.getLogger(__name__)

STALE_TEMP_SECONDS = 600


def load(path: str | os.PathLike[str]) -> AnnotationFile:
    """Read and validate an annotations file; raises :class:`AnnotationFileError`. Sets ``stamp``."""
    data, stat = _read_limited(Path(path))
    result = parse(data, path)
    result.stamp = FileStamp(stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())
    return result


def open_regular(path: str | os.PathLike[str]) -> int:
    """A descriptor of a regular file, opened without blocking (a FIFO or device is refused, never waited on)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    if not stat_module.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise AnnotationFileError(
            path, "not a regular file (a pipe, device or folder cannot hold annotations)"
        )
    return fd


def _read_limited(path: Path) -> tuple[bytes, os.stat_result]:
    try:
        with open(open_regular(path), "rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size > file_model.MAX_FILE_BYTES:
                raise AnnotationFileError(path, file_model.too_big_to_load(stat.st_size))
            data = handle.read(file_model.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AnnotationFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > file_model.MAX_FILE_BYTES:
        raise AnnotationFileError(path, file_model.too_big_to_load(len(data)))
    return data, stat


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def save(path: str | os.PathLike[str], content: AnnotationFile) -> FileStamp:
    """Write atomically (temp file, fsync, ``.bak`` of the previous version, ``os.replace``, folder fsync).

    A symbolic link is written through: its target is replaced (atomically, in the target's folder) and the
    link stays. The file keeps its permission bits; a read-only file is refused, and so is content over
    :data:`MAX_FILE_BYTES` (which :func:`load` would refuse). A file with other hard links is replaced like
    any other (atomicity first): the other names keep the previous version, and a warning is logged.
    On failure (e.g. a full disk) the previous file is left untouched and :class:`AnnotationFileError` is
    raised. Sets and returns ``content.stamp``.
    """
    target = real_path(path)
    data = dump(content).encode("utf-8")
    if len(data) > file_model.MAX_FILE_BYTES:
        raise AnnotationFileError(target, file_model.too_big_to_save(len(data)))
    existing = _existing(target)
    mode = check_writable(target, existing)
    if existing is not None and existing.st_nlink > 1:
        logger.warning(
            "%s has %d hard links; the others keep the previous version", target, existing.st_nlink
        )
    folder = target.parent
    temp = folder / f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(folder, target.name)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        try:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if existing is not None:
            _keep_backup(target)
        os.replace(temp, target)
    except OSError as exc:
        _remove_quietly(temp)
        raise AnnotationFileError(target, _save_failure(exc)) from exc
    _fsync_folder(folder)
    stat = os.stat(target)
    content.stamp = FileStamp(stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())
    return content.stamp


def real_path(path: str | os.PathLike[str]) -> Path:
    """The file a path names, symbolic links followed (the path itself if it cannot be resolved)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(path)


def _existing(target: Path) -> os.stat_result | None:
    try:
        return os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnnotationFileError(target, _save_failure(exc)) from exc


def check_writable(target: Path, existing: os.stat_result | None) -> int | None:
    """The permission bits to keep (None: a new file); refuses a file that is not a regular file or is
    read-only (no write permission for its owner, or none for us)."""
    if existing is None:
        return None
    if not stat_module.S_ISREG(existing.st_mode):
        raise AnnotationFileError(target, "not saved: this is not a regular file")
    mode = stat_module.S_IMODE(existing.st_mode)
    if not mode & stat_module.S_IWUSR or not os.access(target, os.W_OK):
        raise AnnotationFileError(
            target,
            "not saved: the file is read-only. Make it writable (or choose another place to save) and your "
            "highlights will be saved; they are kept in memory meanwhile",
        )
    return mode


def _save_failure(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "no permission to write there"
    else:
        reason = exc.strerror or str(exc)
    return f"could not save the annotations ({reason}); the previous file is unchanged"


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where :func:`save` keeps the previous version: ``<name>.bak`` next to the file."""
    target = Path(path)
    return target.with_name(target.name + ".bak")


def _keep_backup(target: Path) -> None:
    """Point ``<name>.bak`` at the current file (hard link, else copy), atomically. Failures only log."""
    temp = target.with_name(f".{target.name}.bak.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        try:
            os.link(target, temp)
        except OSError:
            shutil.copy2(target, temp)
        os.replace(temp, backup_path(target))
    except OSError as exc:
        _remove_quietly(temp)
        logger.warning("could not keep a backup of %s: %s", target, exc)


def _remove_stale_temps(folder: Path, name: str) -> None:
    limit = time.time() - STALE_TEMP_SECONDS
    for leftover in folder.glob(f".{name}.*.tmp"):
        with contextlib.suppress(OSError):  # another process may be removing it too
            if leftover.stat().st_mtime < limit:
                leftover.unlink()


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder
        return
    try:
        with contextlib.suppress(
            OSError
        ):  # some file systems cannot sync a folder; the data is synced already
            os.fsync(fd)
    finally:
        os.close(fd)


def changed_on_disk(path: str | os.PathLike[str], stamp: FileStamp | None) -> bool:
    """True if the file differs from what we last loaded or saved (``stamp``; None: we saw no file)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return stamp is not None
    if stamp is None:
        return True
    if (stat.st_mtime_ns, stat.st_size) == (stamp.mtime_ns, stamp.size):
        return False
    try:
        with open(open_regular(path), "rb") as handle:
            data = handle.read(file_model.MAX_FILE_BYTES + 1)
    except (OSError, AnnotationFileError):
        return True
    return hashlib.sha256(data).hexdigest() != stamp.sha256
