"""The library: a catalog of many transcripts and one search index over all of them (domain, no Qt)."""
