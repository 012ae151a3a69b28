"""MinHash signatures and a compact banded LSH index for near-duplicate texts.

Why not datasketch's MinHashLSH: it keeps a Python dict of sets per band and hashes
every shingle with SHA-1 in a Python loop; at 1,000,000 cases that is several GB
and an hour to build. Here the shingles are hashed with numpy, each band is a
sorted uint32 array searched with `searchsorted`, and the index is ~430 MB at 1M
cases, answers in about a millisecond and saves to / loads from one .npz file.

Signatures are stored in the database (CaseFingerprint): the hash parameters below
must never change, or stored signatures stop matching new ones.
"""

from pathlib import Path

import numpy as np

from .text import compact

NUM_PERM = 64
# 21 bands of 3 rows (63 of the 64 values): two texts become candidates with
# probability 0.99 at Jaccard 0.6, 0.44 at 0.3 and 0.02 at 0.1.
BANDS = 21
ROWS = 3
# Character bigrams: a retold copy of a short complaint keeps ~0.7 of them (3-grams:
# ~0.55); two unrelated complaints share < 0.1 (99.9th percentile on the public data).
SHINGLE = 2
MAX_CHARS = 4000  # a long letter's first pages decide whether it is a copy

_rng = np.random.default_rng(20260101)
_A = _rng.integers(1, 2**62, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 2**62, NUM_PERM, dtype=np.uint64)
_SHINGLE_MUL = _rng.integers(1, 2**62, SHINGLE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_BAND_MUL = _rng.integers(1, 2**62, ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the bits of the shingle codes."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the character bigrams of the compacted text."""
    chars = compact(text)[:MAX_CHARS]
    if not chars:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - codes.size, dtype=np.uint64)])
    width = codes.size - SHINGLE + 1
    combined = np.zeros(width, dtype=np.uint64)
    for offset in range(SHINGLE):
        combined += codes[offset : offset + width] * _SHINGLE_MUL[offset]
    # Repeated shingles are left in: they change no minimum.
    return _mix(combined)


def signature(text: str) -> np.ndarray | None:
    """64 minimum hash values (uint32); None for a text with no letters or digits."""
    hashes = shingle_hashes(text)
    if hashes.size == 0:
        return None
    # Multiply-shift hashing: the high 32 bits of a*x+b mod 2^64 for odd a.
    permuted = (np.outer(_A, hashes) + _B[:, None]) >> np.uint64(32)
    return permuted.min(axis=1).astype(np.uint32)


def signatures(texts: list[str], chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Signatures of many texts at once: (n, NUM_PERM) uint32 and a mask of the texts
    that had one."""
    result = np.full((len(texts), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    valid = np.zeros(len(texts), dtype=bool)
    for start in range(0, len(texts), chunk):
        parts = [shingle_hashes(text) for text in texts[start : start + chunk]]
        sizes = np.array([p.size for p in parts])
        present = np.flatnonzero(sizes)
        if present.size == 0:
            continue
        hashes = np.concatenate([parts[i] for i in present])
        offsets = np.concatenate([[0], np.cumsum(sizes[present])[:-1]])
        permuted = np.multiply.outer(_A, hashes)
        permuted += _B[:, None]
        permuted >>= np.uint64(32)
        minima = np.minimum.reduceat(permuted, offsets, axis=1).T.astype(np.uint32)
        result[start + present] = minima
        valid[start + present] = True
    return result, valid


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint32 keys: two texts share a key when a whole band is equal."""
    sigs = np.atleast_2d(sigs)[:, : BANDS * ROWS].reshape(-1, BANDS, ROWS).astype(np.uint64)
    combined = (sigs * _BAND_MUL).sum(axis=2, dtype=np.uint64)
    return (_mix(combined) >> np.uint64(32)).astype(np.uint32)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(blob: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u4").astype(np.uint32)


def jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of one signature `a` with each row of `b`."""
    return (np.atleast_2d(b) == a).mean(axis=1)


class MinHashIndex:
    """Banded LSH over MinHash signatures, keyed by integer ids.

    A bulk-built part (sorted arrays) plus a small part added one by one (dicts),
    merged into the sorted part when it grows past `merge_every`.
    """

    def __init__(self, merge_every: int = 20_000):
        self.merge_every = merge_every
        self.ids = np.empty(0, dtype=np.int64)
        self.sigs = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._keys = np.empty((BANDS, 0), dtype=np.uint32)
        self._order = np.empty((BANDS, 0), dtype=np.int32)
        self._pending_ids: list[int] = []
        self._pending_sigs: list[np.ndarray] = []
        self._pending_buckets: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]

    def __len__(self) -> int:
        return self.ids.size + len(self._pending_ids)

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.sigs.nbytes + self._keys.nbytes + self._order.nbytes

    def add_many(self, ids, sigs: np.ndarray) -> None:
        """Bulk insert: appended to the sorted part, which is rebuilt once."""
        self._merge_pending()
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size == 0:
            return
        self.ids = np.concatenate([self.ids, ids])
        self.sigs = np.concatenate([self.sigs, np.asarray(sigs, dtype=np.uint32)])
        self._rebuild()

    def add(self, item_id: int, sig: np.ndarray) -> None:
        position = len(self)
        self._pending_ids.append(int(item_id))
        self._pending_sigs.append(np.asarray(sig, dtype=np.uint32))
        for band, key in enumerate(band_keys(sig)[0].tolist()):
            self._pending_buckets[band].setdefault(key, []).append(position)
        if len(self._pending_ids) >= self.merge_every:
            self._merge_pending()

    def _merge_pending(self) -> None:
        if not self._pending_ids:
            return
        ids = np.array(self._pending_ids, dtype=np.int64)
        sigs = np.vstack(self._pending_sigs)
        self._pending_ids, self._pending_sigs = [], []
        self._pending_buckets = [{} for _ in range(BANDS)]
        self.ids = np.concatenate([self.ids, ids])
        self.sigs = np.concatenate([self.sigs, sigs])
        self._rebuild()

    def _rebuild(self) -> None:
        keys = band_keys(self.sigs).T  # (BANDS, n)
        order = np.argsort(keys, axis=1, kind="stable").astype(np.int32)
        self._keys = np.take_along_axis(keys, order, axis=1)
        self._order = order

    def _signature_at(self, positions: np.ndarray) -> np.ndarray:
        base = positions < self.ids.size
        if base.all():
            return self.sigs[positions]
        rows = np.empty((positions.size, NUM_PERM), dtype=np.uint32)
        rows[base] = self.sigs[positions[base]]
        pending = np.vstack(self._pending_sigs)
        rows[~base] = pending[positions[~base] - self.ids.size]
        return rows

    def _id_at(self, positions: np.ndarray) -> np.ndarray:
        base = positions < self.ids.size
        result = np.empty(positions.size, dtype=np.int64)
        result[base] = self.ids[positions[base]]
        if (~base).any():
            pending = np.array(self._pending_ids, dtype=np.int64)
            result[~base] = pending[positions[~base] - self.ids.size]
        return result

    def candidates(self, sig: np.ndarray) -> np.ndarray:
        """Positions that share at least one band with `sig`."""
        keys = band_keys(sig)[0]
        found = []
        for band in range(BANDS):
            row = self._keys[band]
            low = np.searchsorted(row, keys[band], side="left")
            high = np.searchsorted(row, keys[band], side="right")
            if high > low:
                found.append(self._order[band, low:high])
            pending = self._pending_buckets[band].get(int(keys[band]))
            if pending:
                found.append(np.array(pending, dtype=np.int32))
        if not found:
            return np.empty(0, dtype=np.int32)
        return np.unique(np.concatenate(found))

    def query(
        self, sig: np.ndarray, *, limit: int = 20, min_similarity: float = 0.3
    ) -> list[tuple[int, float]]:
        """(id, estimated Jaccard) of the most similar indexed texts, best first."""
        positions = self.candidates(sig)
        if positions.size == 0:
            return []
        scores = jaccard(sig, self._signature_at(positions))
        keep = scores >= min_similarity
        positions, scores = positions[keep], scores[keep]
        best = np.argsort(-scores, kind="stable")[:limit]
        ids = self._id_at(positions[best])
        return [(int(i), float(s)) for i, s in zip(ids, scores[best], strict=True)]

    def save(self, path: Path) -> None:
        self._merge_pending()
        np.savez(path, ids=self.ids, sigs=self.sigs, keys=self._keys, order=self._order)

    @classmethod
    def load(cls, path: Path) -> "MinHashIndex":
        index = cls()
        with np.load(path) as data:
            index.ids, index.sigs = data["ids"], data["sigs"]
            index._keys, index._order = data["keys"], data["order"]
        return index
