"""Writing a whole text file atomically: a reader, or a crash mid-write, never sees half of it.

The annotations file has its own, stricter writer (fsync, ``.bak``; ``annotation_store``); this one is
for files that can be written again (cache entries, exports).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: str | Path, content: str) -> None:
    """Write ``content`` to a temporary file beside ``path``, then replace ``path`` with it."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
