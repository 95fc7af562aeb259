"""Full-text search over one document (Whoosh)."""
