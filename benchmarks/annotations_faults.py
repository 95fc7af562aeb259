"""Fault test: a process saving the annotations file in a loop is killed with SIGKILL at random moments.

After every kill the file must load and hold exactly the last state the child reported as saved, or the one
it was writing; the ``.bak`` must load too. Prints the counts (lost or unreadable files must be 0).
Runs from a plain clone (uses the bundled transcript). POSIX only (SIGKILL).

Usage: python benchmarks/annotations_faults.py [--kills 220] [--seed 3]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop_app.annotations.model import COLOR_KEYS, Annotation, make_target
from desktop_app.annotations.store import (
    AnnotationFile,
    AnnotationFileError,
    DocumentRef,
    backup_path,
    load,
    save,
)

TEXT = (ROOT / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt").read_text(encoding="utf-8")


def state(k: int) -> AnnotationFile:
    """The k-th content the child writes: deterministic, and different in size from one k to the next."""
    rng = random.Random(k)
    count = 50 + (k * 37) % 150
    items = []
    for n in range(count):
        start = rng.randrange(0, len(TEXT) - 300)
        items.append(
            Annotation(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                color=COLOR_KEYS[n % len(COLOR_KEYS)],
                created="2026-11-29T10:00:00Z",
                updated=f"2026-11-29T10:{n % 60:02d}:00Z",
                target=make_target(TEXT, start, start + rng.randrange(5, 250)),
                note=f"state {k}, note {n}\nsecond line é ✓" if n % 3 else "",
                tags=("state", f"k{k}") if n % 2 else (),
            )
        )
    items.sort(key=lambda a: (a.start, a.end, a.id))  # the order save() writes
    return AnnotationFile(document=DocumentRef("Fault test", "0" * 64, "/tmp/fault.txt"), annotations=items,
                          extra={"state": k})


def child(path: Path, start: int) -> None:
    """Save states start, start+1, ... forever, reporting each one once it is on disk."""
    k = start
    while True:
        save(path, state(k))
        sys.stdout.write(f"{k}\n")
        sys.stdout.flush()
        k += 1


def state_of(path: Path) -> int | None:
    """The state number a file holds (None if it does not load or matches no state exactly)."""
    try:
        content = load(path)
    except AnnotationFileError:
        return None
    k = content.extra.get("state")
    return k if isinstance(k, int) and content == state(k) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=220)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "START"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), int(args.child[1]))
        return 0
    if not hasattr(signal, "SIGKILL"):
        print("fault test skipped: needs POSIX SIGKILL")
        return 0
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="annotations-faults-"))
    path = folder / "fault-test.yaml"
    save(path, state(0))
    began = time.perf_counter()
    save_time = _time_one_save(folder)
    counts = {"kills": 0, "mid-write": 0, "old state": 0, "new state": 0, "unreadable": 0, "lost": 0, "bad .bak": 0}
    current = 0
    while counts["kills"] < args.kills:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(path), str(current + 1)],
            stdout=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the child is in its loop: one save done
        acked = int(first) if first.strip() else current
        time.sleep(rng.uniform(0, 2 * save_time))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        counts["kills"] += 1
        for line in rest.split():
            acked = int(line)
        temps = list(folder.glob(".*.tmp"))  # a temp file left behind: killed while writing
        counts["mid-write"] += bool(temps)
        for temp in temps:
            temp.unlink()
        found = state_of(path)
        if found is None:
            counts["unreadable" if not _loads(path) else "lost"] += 1
            print(f"kill {counts['kills']}: file does not hold state {acked} or {acked + 1}", file=sys.stderr)
            save(path, state(acked))
            found = acked
        elif found == acked:
            counts["old state"] += 1
        elif found == acked + 1:
            counts["new state"] += 1
        else:
            counts["lost"] += 1
        if backup_path(path).exists() and state_of(backup_path(path)) is None:
            counts["bad .bak"] += 1
        current = found
    elapsed = time.perf_counter() - began
    print(f"one save of ~125 annotations: {save_time * 1000:.1f} ms; kills spread over 0-{2 * save_time * 1000:.0f} ms "
          "after the child's first save")
    print(" ".join(f"{name}={value}" for name, value in counts.items()) + f" states-written={current} elapsed={elapsed:.0f}s")
    ok = counts["unreadable"] == 0 and counts["lost"] == 0 and counts["bad .bak"] == 0
    print("PASS: every kill left a readable file with the old or the new state" if ok else "FAIL")
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    return 0 if ok else 1


def _loads(path: Path) -> bool:
    try:
        load(path)
    except AnnotationFileError:
        return False
    return True


def _time_one_save(folder: Path) -> float:
    probe = folder / "probe.yaml"
    began = time.perf_counter()
    for k in range(5):
        save(probe, state(k))
    elapsed = (time.perf_counter() - began) / 5
    probe.unlink()
    backup_path(probe).unlink()
    return elapsed


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
