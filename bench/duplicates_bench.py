"""Near-duplicate index at scale: build a MinHash LSH index of N synthetic complaints
(default 1,000,000) and time queries.

The texts are realistic recombinations: a title and 3–8 sentences drawn from the
public complaint CSVs (shared/data/complaints). Queries are (a) near-copies of indexed
texts (a sentence dropped or added, characters changed, punctuation altered) and
(b) fresh recombinations; a query is timed end to end: text → signature → candidates
→ ranked ids. Prints build time, memory, p50/p99 latency and near-copy recall.

    .venv/bin/python bench/duplicates_bench.py            # 1,000,000 texts, ~5 minutes
    .venv/bin/python bench/duplicates_bench.py --n 100000 # quicker
"""

import argparse
import csv
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qingdan.triage import minhash  # noqa: E402  (no Django needed)

DATA = ROOT.parent / "shared" / "data" / "complaints"
SENTENCE = re.compile(r"[^。！？；!?\n]+[。！？；!?]?")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_corpus() -> tuple[list[str], list[str]]:
    titles, sentences = [], []
    for name in ("labelled_messages.csv", "hot_issue_messages.csv", "unlabelled_messages.csv"):
        with (DATA / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                title = row.get("title") or row.get("留言主题") or ""
                detail = row.get("detail") or row.get("留言详情") or ""
                if title.strip():
                    titles.append(title.strip())
                sentences += [s.strip() for s in SENTENCE.findall(detail) if len(s.strip()) >= 6]
    return titles, sentences


class Corpus:
    """Text i is a title and some sentences chosen by a seeded generator: only the
    choices are kept in memory, the texts are rebuilt on demand."""

    MAX_SENTENCES = 8

    def __init__(self, n: int, titles: list[str], sentences: list[str], seed: int = 7):
        rng = np.random.default_rng(seed)
        self.titles, self.sentences = titles, sentences
        self.title_of = rng.integers(0, len(titles), n, dtype=np.int32)
        self.count = rng.integers(3, self.MAX_SENTENCES + 1, n, dtype=np.int8)
        self.parts = rng.integers(0, len(sentences), (n, self.MAX_SENTENCES), dtype=np.int32)

    def text(self, i: int) -> str:
        chosen = self.parts[i, : self.count[i]]
        return self.titles[self.title_of[i]] + "\n" + "".join(self.sentences[j] for j in chosen)


def near_copy(text: str, rng: np.random.Generator, sentences: list[str]) -> str:
    pieces = SENTENCE.findall(text)
    if len(pieces) > 3 and rng.random() < 0.5:
        pieces.pop(int(rng.integers(1, len(pieces))))  # drop a sentence
    else:
        pieces.insert(
            int(rng.integers(1, len(pieces) + 1)), sentences[int(rng.integers(len(sentences)))]
        )
    chars = list("".join(pieces))
    for _ in range(max(1, len(chars) // 60)):  # change a character here and there
        chars[int(rng.integers(len(chars)))] = "的"
    return "".join(chars).replace("，", ",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=50_000)
    args = parser.parse_args()

    started = time.perf_counter()
    titles, sentences = load_corpus()
    corpus = Corpus(args.n, titles, sentences)
    print(f"corpus: {len(titles):,} titles, {len(sentences):,} sentences → {args.n:,} texts")
    lengths = [len(corpus.text(i)) for i in range(0, args.n, max(args.n // 2000, 1))]
    print(f"text length: median {int(np.median(lengths))} characters")

    base_rss = rss_mb()
    sigs = np.empty((args.n, minhash.NUM_PERM), dtype=np.uint32)
    t0 = time.perf_counter()
    for start in range(0, args.n, args.chunk):
        stop = min(start + args.chunk, args.n)
        sigs[start:stop], _valid = minhash.signatures([corpus.text(i) for i in range(start, stop)])
        rate = stop / (time.perf_counter() - t0)
        print(f"  signatures {stop:>9,}  ({rate:,.0f} texts/s)", end="\r", flush=True)
    signing = time.perf_counter() - t0
    print(f"\nsignatures: {signing:.1f} s ({args.n / signing:,.0f} texts/s, one process)")

    t0 = time.perf_counter()
    index = minhash.MinHashIndex()
    index.add_many(np.arange(args.n, dtype=np.int64), sigs)
    del sigs
    print(f"index build (sort {minhash.BANDS} bands): {time.perf_counter() - t0:.1f} s")
    print(
        f"index memory: {index.nbytes / 2**20:,.0f} MiB in arrays; "
        f"process RSS grew {rss_mb() - base_rss:,.0f} MiB"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.npz"
        t0 = time.perf_counter()
        index.save(path)
        saved = time.perf_counter() - t0
        size = path.stat().st_size
        t0 = time.perf_counter()
        index = minhash.MinHashIndex.load(path)
        print(
            f"save {saved:.1f} s, load {time.perf_counter() - t0:.1f} s, "
            f"file {size / 2**20:,.0f} MiB"
        )

    rng = np.random.default_rng(11)
    latencies, found, candidates = [], 0, []
    copies = args.queries // 2
    for q in range(args.queries):
        if q < copies:
            source = int(rng.integers(args.n))
            text = near_copy(corpus.text(source), rng, sentences)
        else:
            source = -1
            text = Corpus(1, titles, sentences, seed=10_000 + q).text(0)
        t0 = time.perf_counter()
        sig = minhash.signature(text)
        result = index.query(sig, limit=10, min_similarity=0.3)
        latencies.append(time.perf_counter() - t0)
        candidates.append(index.candidates(sig).size)
        if source >= 0 and any(item == source for item, _score in result[:5]):
            found += 1
    latencies_ms = np.array(latencies) * 1000
    print(
        f"query latency over {args.queries:,} queries (text → ranked ids): "
        f"p50 {np.percentile(latencies_ms, 50):.2f} ms, "
        f"p99 {np.percentile(latencies_ms, 99):.2f} ms, "
        f"max {latencies_ms.max():.2f} ms"
    )
    print(
        f"candidates checked per query: median {int(np.median(candidates))}, "
        f"p99 {int(np.percentile(candidates, 99))}"
    )
    print(f"near-copy recall (source in the top 5): {found / copies:.3f} ({found}/{copies})")
    print(f"total run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
