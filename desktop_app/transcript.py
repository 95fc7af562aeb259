"""Loading transcripts: the entry point kept from the first version; the readers are in
:mod:`desktop_app.formats` (one module per format, detection by content).

The result is a :class:`Transcript` whose ``text`` is the *document text*: the immutable string every
offset in the program refers to (design.md §2). The file on disk is never rewritten.
"""

from __future__ import annotations

from desktop_app.formats import (
    FILE_DIALOG_FILTER,
    FORMAT_NAMES,
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    Cue,
    Transcript,
    TranscriptError,
    Turn,
    count_words,
    decode,
    known_title,
    load,
    load_transcript,
    normalize_newlines,
    read_bytes,
    sha256_text,
    title_from_path,
)

__all__ = [
    "FILE_DIALOG_FILTER",
    "FORMAT_NAMES",
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "Cue",
    "Transcript",
    "TranscriptError",
    "Turn",
    "count_words",
    "decode",
    "known_title",
    "load",
    "load_transcript",
    "normalize_newlines",
    "read_bytes",
    "sha256_text",
    "title_from_path",
]
