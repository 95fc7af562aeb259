"""Transcript Reader: read, search and annotate long interview transcripts, offline."""

import os

# The outline's numpy work is small matrices on a worker thread beside others: multi-threaded BLAS only
# adds contention (10x slower on two cores). Set before numpy is first imported; a user's value wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
APP_NAME = "Transcript Reader"
APP_ID = "io.github.transcriptreader.TranscriptReader"
