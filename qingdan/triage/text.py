"""Text helpers shared by the classifier, the duplicate index and the warnings.

The classifier and the duplicate index handle Chinese complaints as characters:
character n-grams need no word segmenter (jieba costs ~2 ms per message, character
n-grams ~0.1 ms) and were at least as accurate in our evaluation. Hot issues, which
name their clusters, use jieba's words (`words.py`).
"""

import csv
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer

# Full-width ASCII (ＡＢＣ１２３) to half-width, keeping one character per character so
# that positions found in the folded text are positions in the original.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20
_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)


_HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def fold(text: str) -> str:
    """Lower-case and half-width, position for position."""
    text = text or ""
    # translate() looks every character up in a dict: skip it when there is nothing to do.
    folded = text.translate(_FULL_WIDTH) if _HAS_FULL_WIDTH.search(text) else text
    lowered = folded.lower()
    # A handful of characters change length when lower-cased (İ); keep positions then.
    return lowered if len(lowered) == len(folded) else folded


def compact(text: str) -> str:
    """Only letters, digits and CJK characters, lower-case and half-width: punctuation,
    spacing and full-width forms do not make two texts different."""
    # Punctuation (most of the full-width characters) goes first, so the slower
    # folding rarely has anything left to do.
    return fold(_NOT_CONTENT.sub("", text or ""))


class UnreadableFile(ValueError):
    """A CSV file that cannot be read as a whole (the message says why)."""


def read_csv(file: Path, needed: Sequence[str] = ()) -> tuple[set[str], list[dict]]:
    """The column names and the rows of a UTF-8 CSV file (a BOM is fine), with every
    column of `needed`; UnreadableFile otherwise."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or [])
            if not set(needed) <= columns:
                raise UnreadableFile(
                    _("%(file)s needs the columns %(needed)s (found: %(found)s).")
                    % {
                        "file": file,
                        "needed": ", ".join(needed),
                        "found": ", ".join(sorted(columns)) or "-",
                    }
                )
            return columns, list(reader)
    except OSError as exc:
        raise UnreadableFile(
            _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
        ) from exc
    except UnicodeDecodeError as exc:
        raise UnreadableFile(_("%(file)s is not UTF-8 text.") % {"file": file}) from exc


def case_document(title: str, content: str) -> tuple[str, str]:
    """The classifier's input: (title, title + content)."""
    title = (title or "").strip()
    content = (content or "").strip()
    return title, f"{title}\n{content}" if title else content


_similarity_vectorizer = HashingVectorizer(
    analyzer="char",
    ngram_range=(2, 2),
    n_features=2**20,
    alternate_sign=False,
    norm="l2",
    preprocessor=compact,
)


def similarities(text: str, others: list[str]) -> np.ndarray:
    """Cosine similarity of character-bigram counts between `text` and each of `others`:
    about 0.9 for a copy with small edits, 0.5 for the same matter told differently,
    0.1–0.3 for unrelated complaints."""
    if not others:
        return np.zeros(0)
    matrix = _similarity_vectorizer.transform([text, *others])
    return _dot(matrix[1:], matrix[0])


def _dot(rows: csr_matrix, one: csr_matrix) -> np.ndarray:
    """`rows @ one.T` for one row vector. The sparse product builds an index over all
    2**20 hashed features (~1 ms); a dense copy of `one`, of which only its own
    bigrams' pages are ever written, costs ~0.05 ms."""
    vector = np.zeros(one.shape[1])
    vector[one.indices] = one.data
    return np.asarray(rows @ vector).ravel()


def vectors(texts: Sequence[str]) -> csr_matrix:
    """The bigram vectors of many texts at once (row i: the vector of texts[i])."""
    return _similarity_vectorizer.transform(list(texts))


def scores(matrix: csr_matrix, vector: csr_matrix) -> np.ndarray:
    """The similarity of each row of `matrix` (`VectorCache.matrix`) to one row of
    `vectors`: the arithmetic of `VectorCache.similarities`, so the same figures."""
    return _dot(matrix, vector)


def similarity(a: str, b: str) -> float:
    return float(similarities(a, [b])[0])


class VectorCache:
    """Bigram vectors of texts that do not change (a case's registered words), by key.

    The group-risk scan compares each new case with up to hundreds of recent ones in
    its town; vectorising all of them again for every intake cost ~45 ms for 500.
    Each process keeps the most recent `size` vectors (about 1.5 kB each: 10,000 cover the
    scan windows of 20 busy towns); a miss reads the text through `load` and vectorises
    only that. Shared by the threads of a server process.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._rows: OrderedDict[Hashable, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)

    def similarities(
        self,
        text: str,
        keys: Sequence[Hashable],
        load: Callable[[list], dict],
    ) -> np.ndarray:
        """The same scores as `similarities(text, [text of each key])`; `load(missing
        keys)` returns {key: text} for the keys not cached."""
        if not keys:
            return np.zeros(0)
        return _dot(self.matrix(keys, load), _similarity_vectorizer.transform([text]))

    def matrix(self, keys: Sequence[Hashable], load: Callable[[list], dict]) -> csr_matrix:
        """The vectors of `keys`, one row each (missing ones read through `load`): to
        score many texts against the same keys with `scores`, stacked once."""
        with self._lock:
            rows = {key: self._rows[key] for key in keys if key in self._rows}
        missing = list(dict.fromkeys(key for key in keys if key not in rows))
        if missing:
            texts = load(missing)
            matrix = _similarity_vectorizer.transform([texts.get(key, "") for key in missing])
            with self._lock:
                for i, key in enumerate(missing):
                    start, end = matrix.indptr[i], matrix.indptr[i + 1]
                    row = (
                        matrix.indices[start:end].copy(),
                        matrix.data[start:end].astype(np.float32),
                    )
                    rows[key] = self._rows[key] = row
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        ordered = [rows[key] for key in keys]
        lengths = np.fromiter((len(indices) for indices, _data in ordered), dtype=np.int64)
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        stacked = csr_matrix(
            (
                np.concatenate([data for _indices, data in ordered]),
                np.concatenate([indices for indices, _data in ordered]),
                indptr,
            ),
            shape=(len(keys), _similarity_vectorizer.n_features),
        )
        return stacked

    def fill(self, keys: Sequence[Hashable], load: Callable[[list], dict]) -> int:
        """Vectorise the keys not cached yet (a warm-up after a restart); returns how
        many that was. The scores against an empty text are thrown away."""
        with self._lock:
            missing = sum(1 for key in dict.fromkeys(keys) if key not in self._rows)
        if missing:
            self.similarities("", keys, load)
        return missing
