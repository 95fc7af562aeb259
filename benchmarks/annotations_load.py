"""Load figure: annotations files of 1,000 and 5,000 highlights on the seed transcript.

Prints, per size: file size; time to save; time to load (read + event scan + construct + validate, with the
parts); time to anchor on the unchanged text, on the text with a paragraph inserted at the start (every
highlight moves), and on a lightly edited text (a word inserted every ~150 words: fuzzy matches). Also times a
hostile file (alias bomb, 10,000 levels, 100 MB sparse) being refused. Runs from a plain clone.

Usage: python benchmarks/annotations_load.py [--sizes 1000 5000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml
from random_highlights import random_highlights

from desktop_app.annotations import schema, store, yaml_reader, yaml_scalars
from desktop_app.annotations.model import anchor_annotations

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

SEED = ROOT / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt"


def build(text: str, count: int, rng: random.Random) -> store.AnnotationFile:
    items = random_highlights(text, count, rng)
    return store.AnnotationFile(document=store.DocumentRef("Seed", "0" * 64, str(SEED)), annotations=items)


def timed(action: Callable[..., T]) -> tuple[T, float]:
    began = time.perf_counter()
    result = action()
    return result, time.perf_counter() - began


def edited_text(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i in range(len(words) - 1, 0, -1):
        if rng.random() < 1 / 150:
            words.insert(i, rng.choice(("um", "really", "basically")))
    return " ".join(words)


def run_size(text: str, count: int, folder: Path, rng: random.Random) -> None:
    content = build(text, count, rng)
    path = folder / f"load-{count}.yaml"
    _, t_save = timed(lambda: store.save(path, content))
    data = path.read_bytes()
    _, t_scan = timed(lambda: yaml_reader._scan_events(data.decode("utf-8"), path))
    raw, t_construct = timed(lambda: yaml.load(data.decode("utf-8"), Loader=yaml_scalars.LOADER))
    _, t_validate = timed(lambda: schema._Validator(path).file(raw))
    loaded, t_load = timed(lambda: store.load(path))
    print(
        f"{count:5d} annotations, {len(data) / 1e6:.2f} MB: save {t_save * 1000:6.0f} ms | load {t_load * 1000:6.0f} ms "
        f"(of which validation {t_validate * 1000:.0f}; for comparison, the bare YAML event parse takes "
        f"{t_scan * 1000:.0f} and PyYAML's own constructor {t_construct * 1000:.0f})"
    )
    cases = {
        "unchanged": text,
        "paragraph inserted": "An introduction that was not in the first version of the transcript. " * 3
        + text,
        "lightly edited": edited_text(text, rng),
    }
    for label, variant in cases.items():
        anchored, seconds = timed(lambda v=variant: anchor_annotations(v, loaded.annotations))
        statuses = Counter(a.status.value for a in anchored)
        print(f"      anchor on {label:<19} {seconds * 1000:6.0f} ms  {dict(statuses)}")
    total = t_load + timed(lambda: anchor_annotations(text, loaded.annotations))[1]
    print(f"      load + anchor (unchanged): {total * 1000:.0f} ms")


def hostile(folder: Path) -> None:
    bomb = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    bomb += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    files = {
        "alias bomb": "version: 1\n" + "\n".join(bomb) + "\n",
        "10,000 levels": "version: 1\nx: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "100,000 levels (block)": "version: 1\nx:\n  " + "- " * 100_000 + "1\n",
    }
    for label, body in files.items():
        path = folder / "hostile.yaml"
        path.write_text(body, encoding="utf-8")
        _report_refusal(label, path)
    path = folder / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    _report_refusal("100 MB (sparse)", path)
    path.unlink()


def _report_refusal(label: str, path: Path) -> None:
    began = time.perf_counter()
    try:
        store.load(path)
        outcome = "LOADED (unexpected)"
    except store.AnnotationFileError as error:
        outcome = error.message[:70]
    print(f"hostile {label:<24} refused in {(time.perf_counter() - began) * 1000:7.1f} ms: {outcome}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    text = SEED.read_text(encoding="utf-8")
    rng = random.Random(5)
    print(
        f"PyYAML {yaml.__version__}, LibYAML {'yes' if yaml.__with_libyaml__ else 'NO (pure Python: ~6x slower)'}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.sizes:
            run_size(text, count, Path(tmp), rng)
        hostile(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
