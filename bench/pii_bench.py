"""Cost of masking free text with `qingdan.core.pii`: per text, per 1,000 characters, for
a list page, and for hostile input (long runs of digits).

Texts are the public complaint messages and replies in /work/shared/data/complaints/
(titles, details and official replies) when the files are there; otherwise the test
corpus, repeated. Nothing is written anywhere.

    .venv/bin/python bench/pii_bench.py [CSV ...]
"""

import csv
import os
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")

import django  # noqa: E402

django.setup()

from qingdan.core import pii  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "complaints"
FILES = ["replied_messages.csv", "labelled_messages.csv", "hot_issue_messages.csv"]
CORPUS = ROOT / "qingdan" / "core" / "tests" / "data" / "pii_corpus.toml"


def load(paths: list[Path]) -> list[str]:
    texts: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                texts.extend(value for value in row.values() if value and len(value) > 10)
    return texts


def timed(texts: list[str], known=(), repeats: int = 3) -> list[float]:
    """The cost of each text: the best of `repeats` runs (the machine is shared; the
    best run is the work itself, the others add what other processes took)."""
    costs = []
    for text in texts:
        best = float("inf")
        for _run in range(repeats):
            started = time.perf_counter()
            pii.mask_text(text, known)
            best = min(best, time.perf_counter() - started)
        costs.append(best)
    return costs


def report(label: str, texts: list[str], costs: list[float]) -> None:
    costs_sorted = sorted(costs)
    mean = statistics.fmean(costs) * 1e6
    p50 = costs_sorted[len(costs) // 2] * 1e6
    p99 = costs_sorted[int(len(costs) * 0.99)] * 1e6
    chars = sum(map(len, texts))
    per_k = sum(costs) / chars * 1000 * 1e6
    print(
        f"{label:<42} {len(texts):>7,} texts, {chars / len(texts):>6.0f} chars avg: "
        f"mean {mean:6.1f} µs, p50 {p50:6.1f} µs, p99 {p99:7.1f} µs, {per_k:5.1f} µs/1,000 chars"
    )


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [DATA / f for f in FILES if (DATA / f).exists()]
    if paths:
        texts = load(paths)
        source = ", ".join(p.name for p in paths)
    else:
        corpus = tomllib.loads(CORPUS.read_text("utf-8"))
        texts = [entry[1] for entry in corpus["masked"]] + corpus["kept"]
        texts = texts * 100
        source = f"{CORPUS.name} ×100 (the complaint files are missing)"
    print(f"texts from {source}")

    started = time.perf_counter()
    pii.mask_text("身份证11010519491231002X，电话13912345678")
    print(f"first call (loads the region table): {(time.perf_counter() - started) * 1e3:.0f} ms")

    report("all texts, first pass (checks not cached)", texts, timed(texts, repeats=1))
    report("all texts", texts, timed(texts))
    titles = [text[:30] for text in texts]
    report("titles (first 30 characters)", titles, timed(titles))
    known = [("张小明", "张*明"), ("李经理", "李*理"), ("玲珑镇欧家夼村3号", "玲珑镇欧家******")]
    report("all texts with 3 petitioner values", texts, timed(texts, known))
    plain = [t for t in texts if not any(c.isdigit() for c in t) and "@" not in t]
    if plain:
        report("texts without digits", plain, timed(plain))

    # A list page: 50 cases, each title, content and reply masked.
    page = texts[:150]
    rounds = []
    for _round in range(20):
        started = time.perf_counter()
        for text in page:
            pii.mask_text(text, known)
        rounds.append(time.perf_counter() - started)
    print(
        f"a list page of 50 cases × 3 texts: best {min(rounds) * 1e3:.2f} ms, "
        f"median {statistics.median(rounds) * 1e3:.2f} ms"
    )

    hostile = {
        "20,000 digits": "1" * 20000,
        "20,000 characters of '1 2 3 …'": " ".join("123456789" * 1111)[:20000],
        "20,000 characters of phones": ("电话13912345678，" * 1500)[:20000],
        "20,000 characters of '+86 (0'": ("+86 (0" * 4000)[:20000],
    }
    for label, text in hostile.items():
        (cost,) = timed([text])
        print(f"hostile: {label:<36} {cost * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
