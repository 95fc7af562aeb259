"""Chapters: the automatic outline, its titles and word vectors, and the user's edits of it."""
