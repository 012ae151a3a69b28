"""Hot issues on the public message board (hot_issue_messages.csv, 4,314 messages):
the top clusters as `qingdan hot-issues` finds them, their precision against the hand
labels in bench/hot_issue_labels.csv, and the clusters whose messages name two cities.

    nice -n 10 .venv/bin/python bench/hot_issue_bench.py [CSV] [--top 20] [--show]

A label row says whether a cluster is one problem in one place (`coherent` yes/no),
keyed by the cluster's members (message ids); a cluster of this run is matched to the
labelled cluster sharing most of its members (at least half of either). `--show` prints
every member's title, to label new clusters; `--write-labels` writes the unmatched ones
to the labels file with an empty verdict.
"""

import argparse
import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
django.setup()

from qingdan.triage import words  # noqa: E402
from qingdan.triage.hotissues import find_hot_issues, read_messages  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "complaints" / "hot_issue_messages.csv"
LABELS = Path(__file__).with_name("hot_issue_labels.csv")


def load_labels() -> list[dict]:
    if not LABELS.exists():
        return []
    with LABELS.open(encoding="utf-8", newline="") as handle:
        return [{**row, "members": set(row["members"].split())} for row in csv.DictReader(handle)]


def match(members: set[str], labels: list[dict]) -> dict | None:
    best, best_shared = None, 0
    for row in labels:
        shared = len(members & row["members"])
        if shared > best_shared and 2 * shared >= min(len(members), len(row["members"])):
            best, best_shared = row, shared
    return best


def cities_named(doc, gazetteer) -> set[str]:
    found = set()
    for word in words.tokens(f"{doc.title}\n{doc.text}"):
        if gazetteer.level(word) == "city":
            found.add(word)
        elif alias := gazetteer.city_alias(word):
            found.add(alias)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--distance", type=float)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--write-labels", action="store_true")
    args = parser.parse_args()
    docs = read_messages(args.file)
    started = time.perf_counter()
    options = {"distance": args.distance} if args.distance else {}
    issues = find_hot_issues(docs, limit=args.top, **options)
    seconds = time.perf_counter() - started
    print(f"{len(docs)} messages, top {len(issues)} clusters in {seconds:.1f} s")
    gazetteer = words.Gazetteer(words.tokens(f"{d.title}\n{d.text}") for d in docs)
    labels = load_labels()
    verdicts, two_cities, unmatched = [], 0, []
    for rank, issue in enumerate(issues, 1):
        members = {str(key) for key in issue.keys}
        # A message that names several cities (A市 and its county-level A9市) counts by
        # its own place; a cluster spans two cities when its members' places do.
        cities = {c for doc in issue.docs for c in cities_named(doc, gazetteer)}
        places = {p for p in (issue_place_city(doc, gazetteer) for doc in issue.docs) if p}
        spans = len(places) > 1
        two_cities += spans
        row = match(members, labels)
        verdict = row["coherent"] if row else "?"
        if row:
            verdicts.append(verdict == "yes")
        else:
            unmatched.append((rank, issue))
        print(
            f"#{rank:2d} [{verdict:3s}] {issue.name}  size {issue.size}, recent {issue.recent}, "
            f"cohesion {issue.cohesion:.2f}"
            f"{'  SPANS ' + '/'.join(sorted(places)) if spans else ''}"
            f"  (cities named: {'/'.join(sorted(cities)) or '-'})"
        )
        if args.show:
            for doc in issue.docs:
                print(f"       {doc.key}  {doc.title}  | {doc.text[:60]}")
    if verdicts:
        print(
            f"precision: {sum(verdicts)}/{len(verdicts)} labelled clusters coherent "
            f"= {sum(verdicts) / len(verdicts):.2f}; {len(unmatched)} not labelled"
        )
    print(f"clusters whose members' places are in two cities: {two_cities}")
    if args.write_labels and unmatched:
        new = not LABELS.exists()
        with LABELS.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(["name", "size", "coherent", "note", "members"])
            for _rank, issue in unmatched:
                writer.writerow(
                    [issue.name, issue.size, "", "", " ".join(str(k) for k in issue.keys)]
                )


def issue_place_city(doc, gazetteer) -> str:
    title, text = words.tokens(doc.title), words.tokens(doc.text)
    return gazetteer.place(title, text).city


if __name__ == "__main__":
    main()
