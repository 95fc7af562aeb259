"""Training scripts for the small learned models shipped under ``resources/models/`` (development only)."""
