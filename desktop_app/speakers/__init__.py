"""Who speaks: speaker labels for the paragraphs of a transcript whose file names no speakers (no Qt)."""

from desktop_app.speakers.inference import SpeakerLabels, infer_speakers

__all__ = ["SpeakerLabels", "infer_speakers"]
