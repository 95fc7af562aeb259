"""Results that depend only on the document text, cached as JSON under the user cache folder.

Keyed by the text's sha256, the kind of result and its algorithm version; a missing, stale or corrupt
entry is simply a miss (the caller recomputes and stores it again).
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from desktop_app.atomic_file import write_text_atomic

logger = logging.getLogger(__name__)


def cache_file(cache_dir: Path, kind: str, sha256: str, version: str) -> Path:
    safe_version = "".join(ch if ch.isalnum() or ch in ".-_" else "_" for ch in str(version))
    return cache_dir / kind / f"{sha256}-{safe_version}.json"


def load(cache_dir: Path, kind: str, sha256: str, version: str) -> Any | None:
    """The cached value, or ``None`` when it is missing or unreadable."""
    path = cache_file(cache_dir, kind, sha256, version)
    try:
        payload = json.loads(_read_regular(path))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as error:
        logger.info("cache entry %s unreadable (%s); recomputing", path, error)
        return None
    if not isinstance(payload, dict) or payload.get("sha256") != sha256 or payload.get("version") != version:
        return None
    return payload.get("value")


MAX_ENTRY_BYTES = 256 * 1024 * 1024


def _read_regular(path: Path) -> str:
    """The text of a regular file; a FIFO, device or socket in its place is an error, never a hang (opened
    non-blocking, checked, read up to ``MAX_ENTRY_BYTES``)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path} is not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        data = stream.read(MAX_ENTRY_BYTES + 1)
    if len(data) > MAX_ENTRY_BYTES:
        raise OSError(f"{path} is larger than {MAX_ENTRY_BYTES} bytes")
    return data.decode("utf-8")


def store(cache_dir: Path, kind: str, sha256: str, version: str, value: Any) -> None:
    """Write atomically; failures (full disk, read-only folder) only cost a recomputation next time."""
    path = cache_file(cache_dir, kind, sha256, version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"sha256": sha256, "version": version, "value": value}, separators=(",", ":"))
        write_text_atomic(path, payload)
    except OSError as error:
        logger.warning("could not write cache entry %s: %s", path, error)
