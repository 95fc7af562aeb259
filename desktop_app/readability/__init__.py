"""Sentences and paragraphs: the linear models and the averaged sentence networks."""
