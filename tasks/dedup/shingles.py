"""Shingling for near-duplicate detection: word n-grams, or character n-grams for languages without spaces.

A batch of texts becomes one flat ``uint32`` array of shingle hashes plus the owning row of each hash, built with
pyarrow and numpy instead of one Python string per shingle (per-shingle Python work is what makes naive MinHash
slow, ../shared/NOTES.md).

Normalisation is the exact-dedup key's (``tasks.normalize.normalize_key``: invisible characters dropped, NFKC,
casefold, whitespace collapsed).
Words are maximal runs of letters, combining marks, digits and ``_`` (anything else separates them), so the word
sequence of a text equals that of its ``normalize_key``: two exact duplicates always get the same shingles. The
whitespace collapse is skipped here only because whitespace never reaches a word (tests assert the equality).

Hashing: each distinct word of a batch is hashed once with xxh32; a shingle's hash folds its ``n`` word hashes
(or ``n`` code points in character mode) through a 64-bit multiply-xorshift mix, keeping the low 32 bits.
A text with fewer than ``n`` units gives one shingle of all its units; a text with no unit gives none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from tasks.normalize import fold

ShingleMode = Literal["auto", "words", "chars"]

# RE2 (pyarrow) syntax: anything but a letter, a combining mark (Indic vowel signs), a digit or "_" separates words.
_SEPARATORS = r"[^\p{L}\p{M}\p{N}_]+"
# Scripts written without spaces between words: CJK ideographs, kana, Thai, Lao, Myanmar, Khmer.
_NO_SPACE = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                       r"\uf900-\ufaff\uff66-\uff9f]")
#: Share of a text's characters in those scripts above which ``auto`` mode shingles characters.
NO_SPACE_SHARE = 0.3
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEED = np.uint64(0x2545F4914F6CDD1D)
_SHIFT = np.uint64(32)


def uses_chars(folded: str, mode: ShingleMode) -> bool:
    """Whether a (folded) text is shingled by characters: always, never, or (``auto``) when it is mostly CJK/Thai."""
    if mode != "auto":
        return mode == "chars"
    if folded.isascii():
        return False
    return len(_NO_SPACE.findall(folded)) >= NO_SPACE_SHARE * max(1, len(folded))


@dataclass
class Shingled:
    """The shingle hashes of a batch: ``hashes[i]`` belongs to row ``rows[i]``; rows are ascending."""

    hashes: np.ndarray  # uint32
    rows: np.ndarray  # int64, sorted
    n_rows: int
    units: np.ndarray | None = None  # words (characters, for rows shingled by character) of each row

    def counts(self) -> np.ndarray:
        """Number of shingles of each row (0 for texts with no word)."""
        return np.bincount(self.rows, minlength=self.n_rows)

    def of(self, row: int) -> np.ndarray:
        """The shingle hashes of one row (tests, debugging)."""
        lo, hi = np.searchsorted(self.rows, [row, row + 1])
        return self.hashes[lo:hi]


def _split(folded: list[str]) -> tuple[pa.Array, np.ndarray]:
    """All words of a list of folded texts (one flat array, empties dropped) and the row of each word."""
    lists = pc.split_pattern_regex(pa.array(folded, pa.large_string()), _SEPARATORS)
    words = pc.list_flatten(lists)
    keep = pc.not_equal(words, "")
    return words.filter(keep), pc.list_parent_indices(lists).filter(keep).to_numpy().astype(np.int64)


def _hash_words(words: pa.Array) -> np.ndarray:
    """xxh32 of each word (as uint64), computing each distinct word of the batch once (Zipf: far fewer)."""
    if len(words) == 0:
        return np.zeros(0, np.uint64)
    encoded = words.dictionary_encode()
    distinct = encoded.dictionary.cast(pa.large_binary()).to_pylist()  # UTF-8 bytes, no per-word encode()
    vocab = np.fromiter(map(xxhash.xxh32_intdigest, distinct), dtype=np.uint64, count=len(distinct))
    return vocab[encoded.indices.to_numpy()]


def _code_points(words: list[str]) -> np.ndarray:
    """Code points of a text's words joined without separators (character mode), as uint64."""
    return np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)


def _fold(units: np.ndarray, n: int) -> np.ndarray:
    """The hash of every window of ``n`` consecutive units (``len(units) - n + 1`` values, uint64)."""
    m = len(units) - n + 1
    acc = np.full(m, _SEED, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            acc ^= units[k:k + m]
            acc *= _MIX
            acc ^= acc >> _SHIFT
    return acc


def _fold_windows(units: np.ndarray, rows: np.ndarray, n: int, n_rows: int) -> Shingled:
    """Hash every window of ``n`` consecutive units within a row; rows shorter than ``n`` get one whole window."""
    if len(units) == 0:
        return Shingled(np.zeros(0, np.uint32), np.zeros(0, np.int64), n_rows)
    counts = np.bincount(rows, minlength=n_rows)
    ends = np.cumsum(counts)
    # Windows over the whole flat array, then keep those that end inside their own row.
    hashes = _fold(np.concatenate([units, np.zeros(n - 1, np.uint64)]), n)
    valid = np.arange(len(units)) + n <= ends[rows]
    out_h, out_r = [hashes[valid]], [rows[valid]]
    short = np.flatnonzero((counts > 0) & (counts < n))
    if len(short):  # texts of fewer than n units: one shingle of all of them (rare: a Python loop is fine)
        out_h.append(np.array([_fold(units[ends[r] - counts[r]:ends[r]], int(counts[r]))[0] for r in short],
                              dtype=np.uint64))
        out_r.append(short.astype(np.int64))
    h, r = np.concatenate(out_h), np.concatenate(out_r)
    order = np.argsort(r, kind="stable") if len(short) else slice(None)
    return Shingled(h[order].astype(np.uint32), r[order], n_rows)


def shingle_batch(texts: list[str], ngram: int = 5, char_ngram: int = 5, mode: ShingleMode = "auto") -> Shingled:
    """Shingle hashes of a batch of texts (word ``ngram``-grams, or ``char_ngram``-grams for no-space scripts)."""
    folded = [fold(t) for t in texts]
    by_chars = np.fromiter((uses_chars(f, mode) for f in folded), dtype=bool, count=len(folded))
    words, rows = _split(folded)
    n_units = np.bincount(rows, minlength=len(texts)).astype(np.int64)  # words per row (characters: below)
    parts: list[Shingled] = []
    if not by_chars.all():
        wmask = ~by_chars[rows]
        parts.append(_fold_windows(_hash_words(words.filter(pa.array(wmask))), rows[wmask], ngram, len(texts)))
    if by_chars.any():
        char_rows = np.flatnonzero(by_chars)
        per_row: dict[int, list[str]] = {int(r): [] for r in char_rows}
        cmask = by_chars[rows]
        for r, w in zip(rows[cmask].tolist(), words.filter(pa.array(cmask)).to_pylist(), strict=True):
            per_row[r].append(w)
        cps = [_code_points(per_row[int(r)]) for r in char_rows]
        n_units[char_rows] = [len(c) for c in cps]
        units = np.concatenate(cps)
        unit_rows = np.repeat(char_rows.astype(np.int64), [len(c) for c in cps])
        parts.append(_fold_windows(units, unit_rows, char_ngram, len(texts)))
    if not parts:
        return Shingled(np.zeros(0, np.uint32), np.zeros(0, np.int64), len(texts), n_units)
    hashes = np.concatenate([p.hashes for p in parts])
    out_rows = np.concatenate([p.rows for p in parts])
    order = np.argsort(out_rows, kind="stable")
    return Shingled(hashes[order], out_rows[order], len(texts), n_units)


def words_of(text: str) -> list[str]:
    """The words of one text after folding, as shingling sees them (tests, the benchmark's exact Jaccard)."""
    return _split([fold(text)])[0].to_pylist()


def shingle_words(text: str, ngram: int = 5) -> list[str]:
    """The word n-grams of one text as strings (tests and the benchmark's exact Jaccard; not the hot path)."""
    words = words_of(text)
    if len(words) < ngram:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + ngram]) for i in range(len(words) - ngram + 1)]
