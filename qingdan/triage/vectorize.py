"""Character n-gram TF-IDF, as scikit-learn's TfidfVectorizer(analyzer="char",
sublinear_tf=True, min_df=...) computes it, but several times faster.

scikit-learn builds every n-gram as a Python string and looks it up in a dict:
~0.35 ms for a 400-character message, which capped suggestions near 2,000
messages/s. Here each n-gram of up to three characters is packed into one uint64
(21 bits per code point) with numpy, and the vocabulary is a sorted array searched
with `searchsorted`. The weights equal TfidfVectorizer's (tested); only the column
order differs.
"""

import re

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

_WHITE_SPACES = re.compile(r"\s\s+")
_BITS = np.uint64(21)
_MASK = (1 << 21) - 1
_BIGRAM = np.uint64(1 << 42)  # a tag bit above two packed code points
_TRIGRAM = np.uint64(1 << 63)


def _pack(text: str, ngram_max: int) -> np.ndarray:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts = [codes]
    if ngram_max >= 2 and codes.size >= 2:
        parts.append(_BIGRAM | (codes[:-1] << _BITS) | codes[1:])
    if ngram_max >= 3 and codes.size >= 3:
        parts.append(
            _TRIGRAM | (codes[:-2] << (_BITS + _BITS)) | (codes[1:-1] << _BITS) | codes[2:]
        )
    return np.concatenate(parts)


def _unpack(key: int) -> str:
    if key >= 1 << 63:
        key -= 1 << 63
        return chr(key >> 42) + chr((key >> 21) & _MASK) + chr(key & _MASK)
    if key >= 1 << 42:
        key -= 1 << 42
        return chr(key >> 21) + chr(key & _MASK)
    return chr(key)


class CharTfidf(TransformerMixin, BaseEstimator):
    def __init__(self, ngram_max: int = 2, min_df: int = 2):
        self.ngram_max = ngram_max
        self.min_df = min_df

    def _keys(self, documents) -> list[np.ndarray]:
        if not 1 <= self.ngram_max <= 3:
            raise ValueError("ngram_max is 1, 2 or 3")
        return [
            _pack(_WHITE_SPACES.sub(" ", (text or "").lower()), self.ngram_max)
            for text in documents
        ]

    def fit(self, documents, y=None):
        per_document = [np.unique(keys) for keys in self._keys(documents)]
        merged = np.concatenate(per_document) if per_document else np.empty(0, np.uint64)
        keys, df = np.unique(merged, return_counts=True)
        kept = df >= self.min_df
        self.keys_ = keys[kept]
        n = len(per_document)
        # Smooth idf, as TfidfVectorizer's default: ln((1 + n) / (1 + df)) + 1.
        self.idf_ = (np.log((1 + n) / (1 + df[kept].astype(np.float64))) + 1).astype(np.float32)
        return self

    def transform(self, documents) -> sp.csr_matrix:
        per_document = self._keys(documents)
        rows = np.repeat(
            np.arange(len(per_document), dtype=np.int32), [k.size for k in per_document]
        )
        keys = np.concatenate(per_document) if per_document else np.empty(0, np.uint64)
        columns = np.searchsorted(self.keys_, keys)
        np.minimum(columns, max(self.keys_.size - 1, 0), out=columns)
        known = self.keys_[columns] == keys if self.keys_.size else np.zeros(0, bool)
        matrix = sp.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), (rows[known], columns[known])),
            shape=(len(per_document), self.keys_.size),
        )  # duplicates (repeated n-grams) are summed: the counts
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1  # sublinear tf: 1 + ln(count)
        matrix.data *= self.idf_[matrix.indices]
        # l2-normalise the rows (sklearn.preprocessing.normalize, without its checks).
        lengths = np.diff(matrix.indptr)
        row_of = np.repeat(np.arange(matrix.shape[0]), lengths)
        norms = np.sqrt(np.bincount(row_of, weights=matrix.data**2, minlength=matrix.shape[0]))
        matrix.data /= norms[row_of].astype(np.float32)
        return matrix

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([_unpack(int(key)) for key in self.keys_], dtype=object)
