"""Transcript Reader: read, search and annotate long interview transcripts, offline."""

__version__ = "0.1.0"
APP_NAME = "Transcript Reader"
APP_ID = "io.github.transcriptreader.TranscriptReader"
