"""Banded LSH over MinHash signatures, one partition at a time, with every candidate pair verified.

Banding: a signature of ``num_perm`` values is cut into ``b`` bands of ``r`` rows; two documents are candidates
when all ``r`` values of some band agree, which happens with probability ``1 - (1 - J**r)**b`` at Jaccard ``J``.
``choose_bands`` repeats datasketch's optimiser (``MinHashLSH(threshold, num_perm, weights=(fp, fn))``, a grid search
minimising the weighted false-positive and false-negative areas under that curve) with most of the weight on false
negatives: recall at the threshold is what banding must give, because every candidate is then verified (its
estimated Jaccard, agreeing positions / ``num_perm``, and, for pairs within a run, the exact Jaccard of the two
shingle sets: ``tasks.dedup.verify``), so a false-positive candidate costs one comparison, never a wrong removal.
At threshold 0.8 and 128 permutations, ``dedup_near``'s default weight 0.99 gives 18 bands x 7 rows (a pair at
J = 0.8 becomes a candidate with probability 0.986, at J = 0.85 with 0.999); weight 0.95 gives 16 x 8 (0.947);
datasketch's default (0.5) gives 9 x 13 (0.40 at J = 0.8).

A partition is the (band key, node) rows of one band and one key range; ``partition_pairs`` groups it by key in
numpy and returns the verified pairs ``(u, v, matches)`` with ``u < v`` (nodes are ranks in keep-priority order).
Buckets of at most ``all_pairs_max`` members are compared pairwise; a larger bucket is compared pivot by pivot
(each pivot against the members not yet matched to an earlier pivot, at most ``max_pivots`` pivots), so one
bucket of thousands of near-identical pages costs a few vectorised passes instead of millions of pairs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(29)
_VERIFY_CHUNK = 32_768  # pairs compared per numpy block: 2 x 32768 x 128 x 4 B = 32 MiB at 128 permutations


def choose_bands(threshold: float, num_perm: int, fn_weight: float) -> tuple[int, int]:
    """``(bands, rows)`` from datasketch's optimiser, weighting false negatives by ``fn_weight`` (0.5..1).

    The same grid search as ``datasketch.lsh._optimal_param`` (first ``(b, r)`` in its loop order with the least
    weighted error), without importing ``datasketch.lsh``: that pulls in ``scipy.integrate``, about 1 s of every
    run's start-up. Its integrands are polynomials of degree ``b * r <= num_perm``, so Gauss-Legendre quadrature
    with ``num_perm // 2 + 1`` nodes integrates them exactly; a test checks the result against datasketch's.
    """
    fp_weight = round(1.0 - fn_weight, 6)
    fn_weight = 1.0 - fp_weight
    pairs = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=float)
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(lo: float, hi: float, miss: bool) -> np.ndarray:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        candidate = 1.0 - (1.0 - s[None, :] ** pairs[:, 1:2]) ** pairs[:, 0:1]
        return ((1.0 - candidate if miss else candidate) * weights).sum(axis=1) * (hi - lo) / 2

    error = fp_weight * integral(0.0, threshold, False) + fn_weight * integral(threshold, 1.0, True)
    bands, rows = (int(v) for v in pairs[int(np.argmin(error))])
    if bands < 2:  # datasketch refuses this too: one band is plain signature equality
        raise ValueError(f"dedup_near: threshold {threshold} with {num_perm} permutations gives fewer than 2 bands")
    return bands, rows


def collision_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that a pair at ``jaccard`` shares at least one band (becomes a candidate)."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


def min_matches(threshold: float, num_perm: int) -> int:
    """Signature positions that must agree for an estimated Jaccard of at least ``threshold``."""
    return max(1, math.ceil(threshold * num_perm - 1e-9))


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per band and document (``(n, bands)`` uint64) from a ``(n, num_perm)`` uint32 signature."""
    keys = np.empty((sigs.shape[0], bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            acc = np.full(sigs.shape[0], np.uint64(band + 1) * _MIX, dtype=np.uint64)
            for j in range(band * rows, (band + 1) * rows):
                acc = (acc ^ sigs[:, j].astype(np.uint64)) * _MIX
                acc ^= acc >> _SHIFT
            keys[:, band] = acc
    return keys


MatchFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def signature_matcher(store: np.ndarray) -> MatchFn:
    """A function counting agreeing positions of the signatures of node pairs, read from ``store`` in blocks."""

    def matches(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        out = np.empty(len(u), dtype=np.int32)
        for lo in range(0, len(u), _VERIFY_CHUNK):
            hi = lo + _VERIFY_CHUNK
            out[lo:hi] = (store[u[lo:hi]] == store[v[lo:hi]]).sum(axis=1)
        return out

    return matches


@dataclass
class PartitionStats:
    """Counts of one partition's work (summed into the stage's counters)."""

    buckets: int = 0
    candidates: int = 0
    verified: int = 0
    capped_buckets: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def _small_bucket_pairs(nodes: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair within each bucket (buckets given by start offset and size into the sorted ``nodes``)."""
    if len(starts) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    member = _ranges(starts, sizes)
    pos = member - np.repeat(starts, sizes)
    size = np.repeat(sizes, sizes)
    us, vs = [], []
    idx, p, sz = member, pos, size
    for d in range(1, int(sizes.max())):
        keep = p + d < sz
        idx, p, sz = idx[keep], p[keep], sz[keep]
        if len(idx) == 0:
            break
        us.append(nodes[idx])
        vs.append(nodes[idx + d])
    if not us:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(us), np.concatenate(vs)


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for every bucket, vectorised."""
    total = int(sizes.sum())
    steps = np.ones(total, dtype=np.int64)
    heads = np.cumsum(sizes)[:-1]
    steps[0] = starts[0]
    steps[heads] = starts[1:] - (starts[:-1] + sizes[:-1] - 1)
    return np.cumsum(steps)


def _pivot_pairs(members: np.ndarray, need: int, matches: MatchFn, max_pivots: int, n_prior: int,
                 levels: np.ndarray | None = None) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray],
                                                            bool]:
    """Verified pairs of one large bucket, pivot by pivot in priority order; True when ``max_pivots`` ran out.

    A member matching a pivot of a higher level (an earlier run's quarantined copy, for a copy headed for clean)
    cannot go to it (``tasks.dedup.keep``): it stays for the next pivots instead of being taken by this one.
    """
    us, vs, ms = [], [], []
    rest = members
    for _ in range(max_pivots):
        if len(rest) < 2:
            return us, vs, ms, False
        pivot, others = rest[0], rest[1:]
        if pivot < n_prior:  # earlier runs are never compared with each other
            others = others[others >= n_prior]
        m = matches(np.full(len(others), pivot), others)
        hit = m >= need
        if levels is not None:
            hit &= levels[others] >= levels[pivot]
        us.append(np.full(int(hit.sum()), pivot, dtype=np.int64))
        vs.append(others[hit])
        ms.append(m[hit])
        rest = others[~hit]
    return us, vs, ms, len(rest) >= 2


def partition_pairs(keys: np.ndarray, nodes: np.ndarray, need: int, matches: MatchFn, n_prior: int,
                    all_pairs_max: int = 64, max_pivots: int = 64,
                    levels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, PartitionStats]:
    """Verified pairs ``(u, v, matches)`` (``u < v``) of one band partition, and its counts.

    Pairs of two earlier-run documents are skipped: earlier runs were deduplicated when they ran. ``levels``: each
    node's level (``tasks.dedup.levels``), for the pivot order of large buckets.
    """
    stats = PartitionStats()
    empty = np.zeros(0, np.int64)
    if len(keys) < 2:
        return empty, empty, np.zeros(0, np.int32), stats
    # Partitions are written in node order, so a stable sort by key keeps each bucket's nodes ascending.
    order = np.argsort(keys, kind="stable") if np.all(nodes[1:] > nodes[:-1]) else np.lexsort((nodes, keys))
    keys, nodes = keys[order], nodes[order]
    heads = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[heads, len(keys)])
    shared = sizes >= 2
    heads, sizes = heads[shared], sizes[shared]
    # A bucket holding only earlier-run documents has nothing to find.
    last = nodes[heads + sizes - 1]
    useful = last >= n_prior
    heads, sizes = heads[useful], sizes[useful]
    stats.buckets = len(heads)
    small = sizes <= all_pairs_max
    u, v = _small_bucket_pairs(nodes, heads[small], sizes[small])
    fresh = v >= n_prior
    u, v = u[fresh], v[fresh]
    stats.candidates = len(u)
    m = matches(u, v) if len(u) else np.zeros(0, np.int32)
    hit = m >= need
    us, vs, ms = [u[hit]], [v[hit]], [m[hit]]
    for head, size in zip(heads[~small].tolist(), sizes[~small].tolist(), strict=True):
        pu, pv, pm, capped = _pivot_pairs(nodes[head:head + size], need, matches, max_pivots, n_prior, levels)
        us += pu
        vs += pv
        ms += pm
        stats.candidates += size - 1
        stats.capped_buckets += int(capped)
    u, v, m = np.concatenate(us), np.concatenate(vs), np.concatenate(ms)
    stats.verified = len(u)
    return u, v, m.astype(np.int32), stats
