"""Highlights and notes: the model and anchoring, the YAML store, and the Qt service that owns them."""
