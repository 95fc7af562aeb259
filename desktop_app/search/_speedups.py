"""Two speed-ups of Whoosh's posting-list matcher (whoosh-reloaded 2.7.5, pinned and archived).

* ``skip_to``: Whoosh moves a posting cursor forward inside a block one posting at a time in Python, so
  intersecting a rare word with a common one ("a topic that") loops over every posting of the common word.
  The block's document numbers are already a sorted tuple in memory: a binary search lands on the same posting.
* decoding a block's document numbers (a running sum of gaps) uses ``itertools.accumulate`` instead of a Python
  generator.
Behaviour is identical (same postings, same blocks); the patches are applied only when Whoosh has exactly the
names they rely on, and the search tests (one compares with Whoosh's own ``skip_to``) run through them.
"""

from __future__ import annotations

import bisect
import itertools
import logging
from typing import TYPE_CHECKING

from whoosh.codec import whoosh3
from whoosh.matching import ReadTooFar

if TYPE_CHECKING:
    from collections.abc import Iterable

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


def _delta_decode(gaps: Iterable[int]) -> itertools.accumulate[int]:
    return itertools.accumulate(gaps)


def install() -> bool:
    """Apply the patches (idempotent); False when Whoosh is not the expected version."""
    matcher = getattr(whoosh3, "W3LeafMatcher", None)
    if matcher is None or not all(hasattr(matcher, name) for name in _REQUIRED):
        logger.info("Whoosh matcher not as expected; left as is")
        return False
    matcher.skip_to = _skip_to
    if hasattr(whoosh3, "delta_decode"):
        whoosh3.delta_decode = _delta_decode
    return True
