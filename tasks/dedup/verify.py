"""Exact verification of candidate pairs: the Jaccard of the two documents' shingle sets, not its MinHash estimate.

A MinHash estimate with 128 permutations has a standard error of about 0.035 near J = 0.8, so deciding on the
estimate alone keeps some pairs just under the threshold and drops some just over it. When both documents are in
this run, their texts are at hand: ``ShingleStore`` shingles exactly the candidates (the same shingles the
``minhash`` stage signed, as sorted unique 32-bit hashes in an on-disk array, 4 bytes per shingle) and
``exact_jaccard`` compares them. A pair with a document of an earlier run keeps the estimate: earlier runs
persist signatures, not texts. Memory: the shingles stay on disk (memory-mapped); 24 bytes per candidate document
(its node, offset and length) stay in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from tasks.dedup.shingles import ShingleMode, shingle_batch


class ShingleStore:
    """Sorted unique shingle hashes of a set of nodes, appended batch by batch to a file, then memory-mapped."""

    def __init__(self, path: Path, ngram: int, char_ngram: int, mode: ShingleMode):
        self.path = path
        self.ngram, self.char_ngram, self.mode = ngram, char_ngram, mode
        self._nodes: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self._file = open(path, "wb")  # noqa: SIM115 - closed by finish()
        self.values: np.ndarray | None = None

    def add(self, nodes: np.ndarray, texts: list[str]) -> None:
        """Shingle a batch of nodes (ascending, and above every node added before)."""
        sh = shingle_batch(texts, self.ngram, self.char_ngram, self.mode)
        # unique per row, sorted: one 64-bit key (row << 32 | hash), sorted, repeats dropped (np.lexsort and
        # np.unique are each tens of times slower here)
        key = np.sort((sh.rows.astype(np.uint64) << np.uint64(32)) | sh.hashes.astype(np.uint64))
        key = key[np.r_[True, key[1:] != key[:-1]]]
        rows, hashes = (key >> np.uint64(32)).astype(np.int64), (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        self._file.write(hashes.astype(np.uint32).tobytes())
        self._nodes.append(np.asarray(nodes, np.int64))
        self._lengths.append(np.bincount(rows, minlength=len(texts)).astype(np.int64))

    def finish(self) -> None:
        """Close the file and map it for reading."""
        self._file.close()
        self.nodes = np.concatenate(self._nodes) if self._nodes else np.zeros(0, np.int64)
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int64)
        self.ends = np.cumsum(lengths)
        self.starts = self.ends - lengths
        size = self.path.stat().st_size
        self.values = np.memmap(self.path, dtype=np.uint32, mode="r") if size else np.zeros(0, np.uint32)

    def shingles(self, node: int) -> np.ndarray:
        """The sorted unique shingle hashes of ``node``."""
        i = int(np.searchsorted(self.nodes, node))
        return self.values[self.starts[i]:self.ends[i]]

    def has(self, node: int) -> bool:
        """Whether ``node`` was added."""
        i = int(np.searchsorted(self.nodes, node))
        return i < len(self.nodes) and self.nodes[i] == node


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard of two sorted unique arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def verify(edges: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], store: ShingleStore, threshold: float,
           need: int) -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(u, v, matches, jaccard)`` of the pairs that pass: exact Jaccard >= ``threshold`` when both are in
    the store, else at least ``need`` agreeing signature positions (``jaccard`` is NaN then)."""
    for u_arr, v_arr, m_arr in edges:
        keep, js = [], []
        for i, (u, v, m) in enumerate(zip(u_arr.tolist(), v_arr.tolist(), m_arr.tolist(), strict=True)):
            if store.has(u) and store.has(v):
                j = exact_jaccard(store.shingles(u), store.shingles(v))
                if j >= threshold:
                    keep.append(i)
                    js.append(j)
            elif m >= need:
                keep.append(i)
                js.append(float("nan"))
        if keep:
            idx = np.asarray(keep, np.int64)
            yield u_arr[idx], v_arr[idx], m_arr[idx], np.asarray(js, np.float64)
