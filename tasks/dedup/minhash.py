"""The ``minhash`` document stage: one MinHash signature per record, stored as the feature column ``minhash``.

Signatures are datasketch's ``affine32`` MinHash (datasketch >= 2.0): the permutations ``(a, b)`` come from
``datasketch.MinHash(num_perm, seed)``, each shingle hash is pre-mixed with the MurmurHash3 finalizer and permuted
as ``a * h + b mod 2**32``, and the signature is the column-wise minimum. ``MinHash.bulk`` runs that per document
and calls the hash function once per shingle from Python; here the same arithmetic runs over a whole batch in
numpy (shingle hashes from ``tasks.dedup.shingles``), which the tests check is bit-identical to
``MinHash.bulk(..., hashfunc=int)`` over the same shingle hashes. ``to_lean`` turns a stored signature back into a
``datasketch.LeanMinHash`` for anyone who wants the library's objects.

The stage emits no findings. Every record gets a ``shingles`` score (its number of shingles; 0 for a text with no
word). A ``minhash_params`` column names the signature settings so ``dedup_near`` never compares signatures made
with different settings (earlier runs' persisted ones included).

Short texts get no signature (null, so ``dedup_near`` skips them; exact dedup still applies): a text of fewer than
``min_words`` words (characters, for a text shingled by character). Shingles are made of words alone, so a short
text's few shingles cannot see what tells it from another one: "I like C++" and "I like C#", "x > y" and "x < y",
"What is 2+2? 4" and "What is 2*2? 4" have the same words and Jaccard 1.0, and all but the first would be removed as
near duplicates. In a longer text the same difference is one edit among many. ``min_words`` changes no signature,
only which records have one, so it is not part of ``minhash_params``.

A record whose meta holds a field that is part of its content (``tasks.normalize.KEY_META_FIELDS``: a preference
pair read with its chosen reply as the text and the rejected one in meta) gets no signature either: exact dedup
compares the whole pair, while a signature of the chosen reply (or of both, when the chosen one is long) finds two
pairs that share a chosen reply and differ in the rejected one near-identical.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow as pa
from pydantic import Field

from tasks.dedup.shingles import Shingled, ShingleMode, shingle_batch
from tasks.normalize import key_meta
from tasks.stage import DocBatch, Score, Stage, StageConfig, StageResult

#: Name of the feature column holding signatures (list<uint32>, null when a text has no shingle).
COLUMN = "minhash"
#: Name of the feature column naming the signature settings (dictionary-encoded, one value per run).
PARAMS_COLUMN = "minhash_params"
SCHEME = "affine32"
_CHUNK = 4096  # shingles per numpy block: (128 x 4096) uint32 = 2 MiB, cache-sized


class MinHashConfig(StageConfig):
    """``stages.minhash`` in sieve.yaml: how texts are shingled and signed (``dedup_near`` reads the result)."""

    num_perm: int = Field(128, ge=16, le=1024, description="permutations per signature (512 B per doc at 128)")
    ngram: int = Field(5, ge=1, le=32, description="words per shingle")
    char_ngram: int = Field(5, ge=1, le=32, description="characters per shingle in character mode")
    shingle: ShingleMode = Field(
        "auto", description="words | chars | auto (characters for texts mostly in scripts written without spaces)"
    )
    seed: int = Field(1, ge=0, le=2**31 - 1, description="seed of datasketch's permutations")
    min_words: int = Field(10, ge=0, le=10_000, description="texts with fewer words (characters, when shingled by "
                           "character) get no signature: near dedup leaves them to exact dedup (0: every text "
                           "with a word gets one)")


def params_id(cfg: MinHashConfig) -> str:
    """A string naming everything that makes two signatures comparable."""
    return (f"datasketch-{SCHEME}/xxh32-fold/{cfg.shingle}/w{cfg.ngram}/c{cfg.char_ngram}"
            f"/p{cfg.num_perm}/s{cfg.seed}")


def shingle_settings(params: str) -> tuple[ShingleMode, int, int]:
    """``(mode, ngram, char_ngram)`` back from a ``params_id`` string (to re-shingle texts the same way)."""
    parts = params.split("/")
    return parts[2], int(parts[3][1:]), int(parts[4][1:])  # type: ignore[return-value]


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine32`` permutation parameters ``(a, b)`` for ``num_perm`` and ``seed``.

    Drawn as ``datasketch.MinHash._init_permutations`` draws them (odd ``a``, any ``b``, from
    ``RandomState(seed)``) rather than by building a ``MinHash``: importing datasketch pulls in
    ``scipy.integrate`` (about 1 s per process). A test checks the values against datasketch's own.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before the affine32 permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(sh: Shingled, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signatures ``(n_rows, num_perm)`` uint32 of a shingled batch, and a mask of rows that have shingles."""
    out = np.full((sh.n_rows, len(a)), np.iinfo(np.uint32).max, dtype=np.uint32)
    hv = _fmix32(sh.hashes.astype(np.uint32))
    # (num_perm, shingles) layout: each permutation's minimum per row is a reduction over contiguous memory,
    # about 5x faster than reducing the (shingles, num_perm) layout along axis 0.
    block = np.empty((len(a), _CHUNK), dtype=np.uint32)
    a_col, b_col = a[:, None], b[:, None]
    for lo in range(0, len(hv), _CHUNK):
        h, rows = hv[lo:lo + _CHUNK], sh.rows[lo:lo + _CHUNK]
        buf = block[:, :len(h)]
        np.multiply(a_col, h[None, :], out=buf)  # uint32 arithmetic wraps: mod 2**32, as in datasketch
        np.add(buf, b_col, out=buf)
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        mins = np.minimum.reduceat(buf, starts, axis=1).T
        owners = rows[starts]  # rows are sorted, so each appears once per block
        out[owners] = np.minimum(out[owners], mins)
    return out, sh.counts() > 0


def to_lean(signature: list[int] | np.ndarray, seed: int = 1):
    """A stored signature as a ``datasketch.LeanMinHash`` (for ``jaccard`` and datasketch's own LSH)."""
    from datasketch import LeanMinHash, MinHash

    values = np.asarray(signature, dtype=np.uint32)
    return LeanMinHash(MinHash(seed=seed, hashvalues=values, scheme=SCHEME))


class MinHashStage(Stage):
    """Computes a MinHash signature per record (feature column ``minhash``) and a ``shingles`` score."""

    name = "minhash"
    version = "2"
    Config = MinHashConfig
    requires: ClassVar[tuple[tuple[str, str], ...]] = (("datasketch", "datasketch"), ("xxhash", "xxhash"))

    def setup(self) -> None:
        """Generate datasketch's permutation parameters once per process."""
        cfg: MinHashConfig = self.config  # type: ignore[assignment]
        self._a, self._b = permutations(cfg.num_perm, cfg.seed)
        self._params = params_id(cfg)

    def detect(self, batch: DocBatch) -> StageResult:
        """Shingle and sign the batch; return the signature columns and one ``shingles`` score per record."""
        cfg: MinHashConfig = self.config  # type: ignore[assignment]
        sh = shingle_batch(batch.texts, cfg.ngram, cfg.char_ngram, cfg.shingle)
        sigs, has = signatures(sh, self._a, self._b)
        has &= sh.units >= cfg.min_words
        if len(batch.meta) == len(batch.texts):  # a preference pair is compared whole, by exact dedup only
            has &= np.fromiter((not key_meta(m) for m in batch.meta), dtype=bool, count=len(batch.texts))
        n, p = sigs.shape
        offsets = pa.array(np.arange(n + 1, dtype=np.int32) * p, pa.int32())
        values = pa.array(sigs.reshape(-1), pa.uint32())
        column = pa.ListArray.from_arrays(offsets, values, mask=pa.array(~has))
        params = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([self._params]))
        counts = sh.counts()
        scores = [Score(row=i, name="shingles", value=float(c)) for i, c in enumerate(counts.tolist())]
        return StageResult(scores=scores, columns={COLUMN: column, PARAMS_COLUMN: params})
