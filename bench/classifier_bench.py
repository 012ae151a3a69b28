"""Category classifier speed: training time, predictions per second (batch and one
message at a time, as at intake), suggestion-with-explanation latency, model size.

Accuracy is measured by `qingdan eval-classifier CSV` (cross-validation); this script
trains once on the whole file and times what the application does with the model.

    .venv/bin/python bench/classifier_bench.py [CSV]
"""

import os

# One core, as promised: no BLAS threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import csv  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qingdan.triage import classifier  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "complaints" / "labelled_messages.csv"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with path.open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("text") and r.get("label")]
    documents = [((r.get("title") or "").strip(), r["text"].strip()) for r in rows]
    labels = [r["label"] for r in rows]
    print(f"{len(rows):,} messages, {len(set(labels))} labels from {path.name}")

    started = time.perf_counter()
    pipeline = classifier.fit(documents, labels)
    print(f"training (with probability calibration): {time.perf_counter() - started:.2f} s")

    blob = classifier.dumps(pipeline)
    started = time.perf_counter()
    explained = classifier.Explained(classifier.loads(blob))
    print(
        f"model: {len(blob) / 2**20:.1f} MiB compressed, load {time.perf_counter() - started:.2f} s"
    )

    for name, predict in (("pipeline", pipeline.predict), ("unpacked", explained.predict_proba)):
        best = 0.0
        for _ in range(3):
            started = time.perf_counter()
            predict(documents)
            best = max(best, len(documents) / (time.perf_counter() - started))
        print(f"batch prediction ({name}): {best:,.0f} messages/s (best of 3, one core)")

    sample = documents[:1000]
    started = time.perf_counter()
    for document in sample:
        explained.predict_proba([document])
    single = len(sample) / (time.perf_counter() - started)
    print(f"one message at a time (as at intake): {single:,.0f} messages/s")

    latencies = []
    for document in sample:
        started = time.perf_counter()
        explained.top(document, k=3)
        latencies.append(time.perf_counter() - started)
    ms = np.array(latencies) * 1000
    print(
        f"top-3 suggestion with explanation: p50 {np.percentile(ms, 50):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms"
    )
    example = explained.top(documents[0], k=1)[0]
    words = "、".join(w["text"] for w in example["words"])
    print(f"example: {documents[0][0]} → {example['label']} {example['probability']:.2f} ({words})")


if __name__ == "__main__":
    main()
