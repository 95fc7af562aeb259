"""A faster ``skip_to`` for Whoosh's posting-list matcher (whoosh-reloaded 2.7.5, pinned and archived).

Whoosh moves a posting cursor forward inside a block one posting at a time in Python; intersecting a rare word
with a common one ("a topic that") therefore costs a Python loop over every posting of the common word. The
block's document numbers are already a sorted tuple in memory, so a binary search lands on the same posting.
Behaviour is identical (same posting, same block); the patch is applied only when the matcher has exactly the
attributes it relies on, and the search tests run through it.
"""

from __future__ import annotations

import bisect
import logging

from whoosh.codec import whoosh3
from whoosh.matching import ReadTooFar

logger = logging.getLogger(__name__)

_REQUIRED = ("_skip_to_block", "_read_ids", "is_active", "id", "block_max_id", "skip_to")
original_skip_to = getattr(getattr(whoosh3, "W3LeafMatcher", None), "skip_to", None)


def _skip_to(self: whoosh3.W3LeafMatcher, targetid: object) -> None:
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        self._skip_to_block(lambda: targetid > self._maxid)
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    self._i = bisect.bisect_left(self._ids, targetid, self._i, self._blocklength)
    if (
        self._i == self._blocklength
    ):  # cannot happen (targetid <= the block's max id); keep Whoosh's invariant
        self._next_block()


def install() -> bool:
    """Patch ``W3LeafMatcher.skip_to`` once; False when Whoosh is not the expected version."""
    matcher = getattr(whoosh3, "W3LeafMatcher", None)
    if matcher is None or not all(hasattr(matcher, name) for name in _REQUIRED):
        logger.info("Whoosh matcher not as expected; skip_to left as is")
        return False
    if matcher.skip_to is not _skip_to:
        matcher.skip_to = _skip_to
    return True
