"""Results that depend only on the document text, cached as JSON under the user cache folder.

Keyed by the text's sha256, the kind of result and its algorithm version; a missing, stale or corrupt
entry is simply a miss (the caller recomputes and stores it again).
"""

from __future__ import annotations

import json
import logging
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
        with path.open("r", encoding="utf-8") as stream:
            payload = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.info("cache entry %s unreadable (%s); recomputing", path, error)
        return None
    if not isinstance(payload, dict) or payload.get("sha256") != sha256 or payload.get("version") != version:
        return None
    return payload.get("value")


def store(cache_dir: Path, kind: str, sha256: str, version: str, value: Any) -> None:
    """Write atomically; failures (full disk, read-only folder) only cost a recomputation next time."""
    path = cache_file(cache_dir, kind, sha256, version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"sha256": sha256, "version": version, "value": value}, separators=(",", ":"))
        write_text_atomic(path, payload)
    except OSError as error:
        logger.warning("could not write cache entry %s: %s", path, error)
