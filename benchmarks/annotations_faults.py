"""Fault benchmark (issue 16): nothing the user made is lost to a kill, a second writer or a hand edit.

Three parts, one run, one verdict:

1. **Kills.** A forked child saves the annotations file through ``AnnotationStore.save`` (lock, merge with
   the file on disk, dump, temp file, write, fsync, ``.bak`` link, replace, folder fsync) and is killed with
   SIGKILL -- at each of those steps in turn (the child kills itself when it reaches the step: half-way
   through the write for the write step), and at random moments of a save loop. After every kill the file
   must load and hold the old or the new state exactly, and the ``.bak`` must load.
2. **Two app-level writers.** Two ``AnnotationService`` instances (the app's own save path: undo stack,
   autosave on the serial lane, adopting merges) edit the same document's file in rounds: highlights added,
   re-noted, recoloured and deleted, colour names and the outline changed, with edits made while saves are
   in flight. After each round both flush, and the file must hold every annotation, colour name and outline
   edit made (and none that was deleted).
3. **Hand edits during unsaved changes.** A service holds unsaved edits while the file is edited as a text
   editor would (a note retyped in an entry whose colour the app changed, a colour renamed, an entry added,
   one removed; ``updated`` left alone); after the save both the hand edit and the app's edits must be on
   disk and in memory.

Prints the counts and ``lost=0``; exits 1 on any loss. POSIX only (fork, SIGKILL).

Usage: python benchmarks/annotations_faults.py [--step-kills 700] [--random-kills 320] [--rounds 500]
       [--hand-edits 120] [--seed 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app.annotations import store, yaml_scalars
from desktop_app.annotations.colors import COLOR_KEYS
from desktop_app.annotations.model import Annotation, make_target
from desktop_app.annotations.store import (
    AnnotationFile,
    AnnotationFileError,
    AnnotationStore,
    DocumentRef,
    backup_path,
    load,
    save,
)

if TYPE_CHECKING:
    from collections.abc import Callable

TEXT = (ROOT / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt").read_text(encoding="utf-8")
SHA = "0" * 64
STEPS = (
    "lock",
    "read-theirs",
    "open-temp",
    "write",
    "fsync",
    "close",
    "bak-link",
    "bak-replace",
    "replace",
    "folder-fsync",
)


# --------------------------------------------------------------------------------------------- 1. kills


def state(k: int) -> AnnotationFile:
    """The k-th content a child writes: deterministic, and different in size from one k to the next."""
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
    return AnnotationFile(
        document=DocumentRef("Fault test", SHA, "/tmp/fault.txt"),
        annotations=items,
        extra={"state": k},
        outline=[{"title": f"state {k}", "keywords": []}],
    )


def state_of(path: Path) -> int | None:
    """The state number a file holds (None if it does not load or matches no state exactly)."""
    try:
        content = load(path)
    except AnnotationFileError:
        return None
    k = content.extra.get("state")
    if not isinstance(k, int):
        return None
    expected = state(k)
    same = content.annotations == expected.annotations and content.outline == expected.outline
    return k if same else None


def _die_at(step: str, occurrence: int) -> None:
    """In a forked child: SIGKILL ourselves when the save reaches ``step`` (its ``occurrence``-th call)."""
    seen: Counter[str] = Counter()

    def hit(name: str) -> None:
        seen[name] += 1
        if name == step and seen[name] == occurrence:
            os.kill(os.getpid(), signal.SIGKILL)

    real_open, real_write, real_fsync, real_close = os.open, os.write, os.fsync, os.close
    real_link, real_replace, real_load = os.link, os.replace, store.load

    def fake_open(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        name = os.fspath(path)
        if name.endswith(".lock"):
            hit("lock")
        elif name.endswith(".tmp") and flags & os.O_CREAT:
            hit("open-temp")
        elif os.path.isdir(name):
            hit("folder-fsync")
        return real_open(path, flags, mode, **kw)

    def fake_write(fd: int, data: Any) -> int:
        if step == "write" and len(data) > 1:
            written = real_write(fd, bytes(data[: len(data) // 2]))
            hit("write")
            return written
        return real_write(fd, data)

    def fake_fsync(fd: int) -> None:
        hit("fsync")
        real_fsync(fd)

    def fake_close(fd: int) -> None:
        real_close(fd)
        hit("close")

    def fake_link(src: Any, dst: Any, **kw: Any) -> None:
        real_link(src, dst, **kw)
        hit("bak-link")

    def fake_replace(src: Any, dst: Any, **kw: Any) -> None:
        real_replace(src, dst, **kw)
        hit("bak-replace" if os.fspath(dst).endswith(".bak") else "replace")

    def fake_load(path: Any) -> AnnotationFile:
        hit("read-theirs")
        return real_load(path)

    os.open, os.write, os.fsync, os.close = fake_open, fake_write, fake_fsync, fake_close  # type: ignore[assignment]
    os.link, os.replace = fake_link, fake_replace  # type: ignore[assignment]
    store.load = fake_load  # type: ignore[assignment]


def _fork(action: Callable[[], None]) -> int:
    pid = os.fork()
    if pid == 0:  # the child: never returns into the parent's code
        try:
            action()
        finally:
            os._exit(0)
    return pid


def kills(folder: Path, step_kills: int, random_kills: int, rng: random.Random) -> Counter[str]:
    """Part 1: ``step_kills`` kills spread over the steps of one save, then ``random_kills`` at random moments
    of a save loop."""
    path = folder / "kills.yaml"
    save(path, state(0))
    current = 0
    counts: Counter[str] = Counter()
    per_step = max(1, step_kills // len(STEPS))
    for step in STEPS:
        for round_number in range(per_step):
            nxt = current + 1

            def one_save(step: str = step, nxt: int = nxt, round_number: int = round_number) -> None:
                keeper = AnnotationStore(path)
                keeper.load()
                _die_at(step, 1 + (round_number % 2 if step in ("fsync", "close") else 0))
                if step == "read-theirs":  # a save that merges the file in first (no base: it reads it)
                    keeper.save(state(nxt), None)
                else:
                    keeper.save(state(nxt))

            _, status = os.waitpid(_fork(one_save), 0)
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            counts["kills"] += killed
            counts[f"at {step}"] += killed
            current = _check(path, folder, current, nxt, counts)
    save_time = _time_one_save(folder)
    for _ in range(random_kills):
        read, write = os.pipe()
        first = current + 1

        def loop(first: int = first, read: int = read, write: int = write) -> None:
            os.close(read)
            k = first
            while True:
                save(path, state(k))
                os.write(write, f"{k}\n".encode())
                k += 1

        pid = _fork(loop)
        os.close(write)
        time.sleep(rng.uniform(0, 3 * save_time))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read) as stream:
            acked = [int(line) for line in stream.read().split()]
        last = acked[-1] if acked else current
        counts["kills"] += 1
        counts["random"] += 1
        current = _check(path, folder, last, last + 1, counts)
    counts["save ms"] = round(save_time * 1000)
    return counts


def _check(path: Path, folder: Path, old: int, new: int, counts: Counter[str]) -> int:
    temps = list(folder.glob(".*.tmp"))
    counts["temp left"] += bool(temps)  # killed mid-write: a later save removes it after 10 minutes
    for temp in temps:
        temp.unlink()
    found = state_of(path)
    if found == old:
        counts["old state"] += 1
    elif found == new:
        counts["new state"] += 1
    else:
        counts["lost"] += 1
        print(f"kill {counts['kills']}: file holds {found}, not state {old} or {new}", file=sys.stderr)
        save(path, state(new))
        found = new
    bak = backup_path(path)
    if bak.exists() and state_of(bak) is None:
        counts["bad .bak"] += 1
    return found


def _time_one_save(folder: Path) -> float:
    probe = folder / "probe.yaml"
    began = time.perf_counter()
    for k in range(5):
        save(probe, state(k))
    elapsed = (time.perf_counter() - began) / 5
    probe.unlink()
    backup_path(probe).unlink()
    return elapsed


# --------------------------------------------------------------------------------------------- 2 and 3: services


class Expected:
    """What the file must hold: every live annotation's colour and note, the colour names, the outline."""

    def __init__(self) -> None:
        self.notes: dict[str, tuple[str, str]] = {}
        self.deleted: set[str] = set()
        self.colors: dict[str, str] = {}
        self.outline: list[dict[str, Any]] | None = None

    def lost(self, content: AnnotationFile | None) -> Counter[str]:
        """What ``content`` lacks (or brought back), by kind."""
        assert content is not None
        found = {a.id: (a.color, a.note) for a in content.annotations}
        result: Counter[str] = Counter()
        result["annotations lost"] = sum(1 for i, v in self.notes.items() if found.get(i) != v)
        result["deletions undone"] = sum(1 for i in self.deleted if i in found)
        result["colour names lost"] = sum(1 for k, v in self.colors.items() if content.colors.get(k) != v)
        result["outline edits lost"] = int(self.outline is not None and content.outline != self.outline)
        return result


def _spans(count: int, rng: random.Random) -> list[tuple[int, int]]:
    words = [m.span() for m in re.finditer(r"\S+", TEXT[:200_000])]
    result = []
    for _ in range(count):
        first = rng.randrange(len(words) - 10)
        result.append((words[first][0], words[first + rng.randrange(1, 8)][1]))
    return result


def writers(folder: Path, rounds: int, rng: random.Random, explain: bool = False) -> Counter[str]:
    """Part 2: two services on one file, edits during saves, checked after every round."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from desktop_app.annotations.service import AnnotationService
    from desktop_app.tasks import TaskRunner

    tasks = TaskRunner()
    services = [AnnotationService(tasks), AnnotationService(tasks)]
    for service in services:
        service.attach(TEXT, "Fault test", SHA, "/tmp/fault.txt", folder)
    tasks.wait()
    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
    assert all(s.ready for s in services), [s.error for s in services]
    expected, counts = Expected(), Counter[str]()
    mine: list[list[str]] = [[], []]
    spans = _spans(rounds * 10, rng)
    for round_number in range(rounds):
        outline_writer = round_number % 2
        log = []
        for step in range(rng.randrange(3, 9)):
            who = rng.randrange(2)
            service = services[who]
            action = rng.random() if len(mine[who]) < 40 else 0.75  # the file stays small: rounds stay fast
            if action < 0.45 or not mine[who]:
                start, end = spans.pop()
                made = service.add(
                    start, end, COLOR_KEYS[rng.randrange(5)], note=f"r{round_number} s{step} w{who}"
                )
                mine[who].append(made.id)
                expected.notes[made.id] = (made.color, made.note)
                log.append(f"w{who} add {made.id[:6]}")
            elif action < 0.7:
                ident = rng.choice(mine[who])
                edited = service.update(
                    ident, note=f"edited r{round_number} w{who}", color=COLOR_KEYS[rng.randrange(5)]
                )
                if edited is not None:
                    expected.notes[ident] = (edited.color, edited.note)
                log.append(f"w{who} edit {ident[:6]}")
            elif action < 0.8:
                ident = mine[who].pop(rng.randrange(len(mine[who])))
                service.remove(ident)
                expected.notes.pop(ident, None)
                expected.deleted.add(ident)
                log.append(f"w{who} remove {ident[:6]}")
            elif action < 0.9:
                key = COLOR_KEYS[who * 2 + rng.randrange(2)]  # each writer names its own colours
                meaning = f"meaning {round_number}.{step} by {who}"
                service.set_color_meaning(key, meaning)
                expected.colors[key] = meaning
            elif who == outline_writer:
                records = [{"title": f"chapter of round {round_number}", "keywords": [f"w{who}"]}]
                service.set_outline(records, "Rename chapter")
                expected.outline = records
            if rng.random() < 0.6:
                service.save_soon()  # a save on the serial lane; the next edits happen while it runs
                log.append(f"w{who} save_soon")
            if rng.random() < 0.5:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                log.append("events")
        flushed = [services[0].flush(), services[1].flush(), services[0].flush()]
        counts["flush failures"] += flushed.count(False)
        # On disk: a writer with nothing unsaved adopts the file when its watcher reports the change; until
        # then its memory lags, which loses nothing (its next save merges), so the file is what is checked.
        lost = expected.lost(load(services[0].path))
        counts.update(lost)
        counts["rounds"] += 1
        if sum(lost.values()):
            print(
                f"round {round_number}: {dict(+lost)}" + (f" after {log}" if explain else ""), file=sys.stderr
            )
    counts["annotations at the end"] = len(expected.notes)
    for service in services:
        service.close()
    tasks.wait()
    QCoreApplication.processEvents()
    return counts


def hand_edits(folder: Path, edits: int, rng: random.Random) -> Counter[str]:
    """Part 3: a text editor changes the file while the service holds unsaved changes."""
    from PySide6.QtCore import QCoreApplication

    from desktop_app.annotations.service import AnnotationService
    from desktop_app.tasks import TaskRunner

    tasks = TaskRunner()
    service = AnnotationService(tasks)
    service.attach(TEXT, "Hand edits", "1" * 64, "/tmp/hand.txt", folder)
    tasks.wait()
    QCoreApplication.processEvents()
    assert service.ready, service.error
    expected, counts = Expected(), Counter[str]()
    spans = _spans(edits * 4 + 10, rng)
    for _ in range(3):
        made = service.add(*spans.pop(), "yellow", note="seed")
        expected.notes[made.id] = (made.color, made.note)
    assert service.flush()
    for number in range(edits):
        ours = service.add(*spans.pop(), "green", note=f"app {number}")  # unsaved
        expected.notes[ours.id] = (ours.color, ours.note)
        live = [i for i in expected.notes if i != ours.id]
        recolour = rng.choice(live)
        changed = service.update(recolour, color="pink" if number % 2 else "blue")  # one field, in the app...
        if changed is not None:
            expected.notes[recolour] = (changed.color, changed.note)
        text = service.path.read_text(encoding="utf-8")
        kind = number % 4
        if kind == 0:  # ...and the editor retypes the note of the same entry (updated left alone)
            text, hit = _retype_note(text, recolour, f"by hand {number}")
            if hit:
                expected.notes[recolour] = (expected.notes[recolour][0], f"by hand {number}")
        elif kind == 1:  # a colour renamed in the file
            text = re.sub(r"^  purple: .*$", f"  purple: hand {number}", text, count=1, flags=re.MULTILINE)
            expected.colors["purple"] = f"hand {number}"
        elif kind == 2:  # an entry typed in by hand
            ident = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            start, end = spans.pop()
            exact = TEXT[start:end].replace("'", "''")
            block = (
                f"- id: {ident}\n  color: blue\n  created: 2026-12-01T10:00:00Z\n  updated: 2026-12-01T10:00:00Z\n"
                f"  target:\n    start: {start}\n    end: {end}\n    exact: '{exact}'\n  note: typed {number}\n"
            )
            text = text.replace("\nannotations:\n", "\nannotations:\n" + block, 1)
            expected.notes[ident] = ("blue", f"typed {number}")
        else:  # an entry removed by hand (one the app did not touch)
            victims = [i for i in live if i != recolour]
            if victims:
                victim = rng.choice(victims)
                text, hit = _remove_entry(text, victim)
                if hit:
                    expected.notes.pop(victim)
                    expected.deleted.add(victim)
        service.path.write_text(text, encoding="utf-8")
        if number % 2:
            ok = service.flush()  # at once (quit, switch)
        else:
            QCoreApplication.processEvents()  # the watcher may see the edit: the service saves (merging)
            tasks.wait_serial()
            QCoreApplication.processEvents()
            ok = service.flush()
        counts["flush failures"] += not ok
        lost = expected.lost(load(service.path)) + expected.lost(service.content)
        counts.update(lost)
        counts["hand edits"] += 1
        if sum(lost.values()):
            print(f"hand edit {number} (kind {kind}): {dict(+lost)}", file=sys.stderr)
    service.close()
    tasks.wait()
    return counts


def _entry_block(text: str, ident: str) -> tuple[int, int] | None:
    """Where an entry of the ``annotations`` list is in the file's text (its lines)."""
    start = text.find(f"- id: {ident}\n")
    if start < 0:
        return None
    following = re.search(r"\n(?=- |[^ \n])", text[start + 1 :])
    return start, (start + 1 + following.start() + 1 if following else len(text))


def _retype_note(text: str, ident: str, note: str) -> tuple[str, bool]:
    span = _entry_block(text, ident)
    if span is None:
        return text, False
    block = text[span[0] : span[1]]
    new_block, hits = re.subn(r"^  note: .*$", f"  note: {note}", block, count=1, flags=re.MULTILINE)
    return text[: span[0]] + new_block + text[span[1] :], hits == 1


def _remove_entry(text: str, ident: str) -> tuple[str, bool]:
    span = _entry_block(text, ident)
    if span is None:
        return text, False
    return text[: span[0]] + text[span[1] :], True


# --------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step-kills", type=int, default=700)
    parser.add_argument("--random-kills", type=int, default=320)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--hand-edits", type=int, default=120)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print each failing round's edits")
    args = parser.parse_args()
    if not hasattr(signal, "SIGKILL") or not hasattr(os, "fork"):
        print("fault benchmark skipped: needs POSIX fork and SIGKILL")
        return 0
    from PySide6.QtGui import QGuiApplication

    rng = random.Random(args.seed)
    print(f"LibYAML: {yaml_scalars.LOADER.__name__ == 'CSafeLoader'}; seed {args.seed}")
    results: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory(prefix="annotations-faults-") as tmp:
        began = time.perf_counter()
        results["kills"] = kills(Path(tmp), args.step_kills, args.random_kills, rng)
        print(f"1. kills ({time.perf_counter() - began:.0f} s): {_show(results['kills'])}")
        app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - the services need one
        began = time.perf_counter()
        (Path(tmp) / "writers").mkdir()
        results["writers"] = writers(Path(tmp) / "writers", args.rounds, rng, args.explain)
        print(f"2. two app-level writers ({time.perf_counter() - began:.0f} s): {_show(results['writers'])}")
        began = time.perf_counter()
        (Path(tmp) / "hand").mkdir()
        results["hand"] = hand_edits(Path(tmp) / "hand", args.hand_edits, rng)
        print(
            f"3. hand edits during unsaved changes ({time.perf_counter() - began:.0f} s): {_show(results['hand'])}"
        )
    bad_keys = (
        "lost",
        "bad .bak",
        "annotations lost",
        "deletions undone",
        "colour names lost",
        "outline edits lost",
        "flush failures",
    )
    lost = sum(counts[key] for counts in results.values() for key in bad_keys)
    enough = (
        results["kills"]["kills"] >= 1000
        and results["writers"]["rounds"] >= 500
        and results["hand"]["hand edits"] >= 100
    )
    print(
        f"lost={lost}: "
        + ("PASS" if lost == 0 else "FAIL")
        + ("" if enough else " (fewer runs than issue 16 asks)")
    )
    return 0 if lost == 0 else 1


def _show(counts: Counter[str]) -> str:
    return " ".join(f"{key}={value}" for key, value in counts.items() if value or key in ("lost",))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    logging.getLogger("desktop_app.annotations").setLevel(logging.ERROR)  # hard-link notes of killed saves
    sys.exit(main())
