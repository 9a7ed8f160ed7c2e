"""fastText classifier scores by table lookup: a whole document and all of its windows from one pass over its words.

A fastText supervised model with unigram inputs is linear up to its last step: the hidden vector of a line is the
mean of the input rows of its entries (each in-vocabulary word, or each of a word's character n-grams when the model
has subwords, plus the end-of-line token ``</s>``), and the label scores are ``softmax(B @ hidden)`` (loss
``softmax``) or ``sigmoid(B @ hidden)`` (``ova``, ``ns``). So ``B @ hidden`` is the mean, over a line's entries, of
per-entry logit vectors, and a word's contribution (the sum of its entries' logits, and how many entries it has) can
be computed once and looked up. A document's windows are then sums over slices of one array, and the whole document
is the sum of its windows plus one ``</s>``: exactly what ``model.predict`` gives for the joined text, without
tokenising and scoring every character twice (once whole, once per window).

Models this does not cover (word n-grams ``wordNgrams > 1``, whose entries hash word pairs; hierarchical softmax)
make ``LinearScorer.from_model`` return None and the stage calls ``model.predict``. ``from_model`` also checks its own
scores against ``model.predict`` on probe texts and returns None on any mismatch, so a fastText build that computes
differently can never change a score silently.

Tokens are what ``str.split()`` returns: fastText splits on ASCII whitespace and NUL only, so this is exact for text
normalised by ``tasks.textnorm.normalize_for_model``, which turns every other whitespace character into a space.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

from tasks.detectors.table_cache import files_key, load_arrays, save_arrays

EOS = "</s>"
#: fastText adds this to every probability it returns (it ranks by ``log(p + 1e-5)`` and returns ``exp`` of that).
PROB_EPSILON = 1e-5
#: Out-of-vocabulary words remembered (models with subwords only); the cache is emptied when it reaches this size.
OOV_CACHE = 200_000
#: Ends one window and starts the next in the texts given to ``score_joined`` (a control character that
#: ``normalize_for_model`` keeps and no word contains).
SEPARATOR = "\x01"
#: Documents scored together: their token arrays (a few hundred KB) stay in the CPU cache.
CHUNK_DOCS = 512
#: The disk cache's folder for the tables (tasks/detectors/table_cache.py).
TABLE_KIND = "fasttext-word-tables"
#: Normalised texts (as ``normalize_for_model`` returns them) on which ``from_model`` compares with ``model.predict``.
PROBES = ("you are such a stupid idiot", "the museum opens at nine on sundays", "xxuser lol what a loser xxurl",
          "grüße aus münchen und 東京", "", "qqqzzx unseenword  double  spaced ", "a")


class LinearScorer:
    """Label probabilities of a fastText classifier for lines given as token lists, by summing per-word logits."""

    def __init__(self, model: Any, labels: list[str], output: np.ndarray, sigmoid: bool, subwords: bool,
                 table: dict[str, np.ndarray] | None = None):
        """Use ``from_model``: it checks that the model is one this scorer reproduces exactly.

        ``table`` is the vocabulary's table as ``word_table`` gave it for this model (from the disk cache).
        """
        self.model = model
        self.labels = labels
        self._b = output.astype(np.float64)  # (labels, dim)
        self._sigmoid = sigmoid
        self._subwords = subwords
        args = model.f.getArgs()
        self._minn, self._maxn = args.minn, args.maxn
        self._counted = False  # True once the n-gram count of a word is known to follow from its length
        k = len(labels)
        words = model.get_words(on_unicode_error="replace")
        if table is not None and table["rows"].shape == (len(words) + 2, k + 1):
            rows, self._counted = table["rows"].astype(np.float64, copy=False), bool(table["counted"])
        else:
            # Row 0 is "no entries" (an unknown word in a model without subwords: fastText skips it); the row
            # after the vocabulary's belongs to SEPARATOR, which ends a window (see score_joined).
            rows = np.zeros((len(words) + 2, k + 1))
            rows[1:-1] = self._entries(words)
            if subwords:
                # A model quantised with a cutoff drops n-gram rows, so a word's entry count is then only known by
                # asking fastText (slow: ~10 us a word); without a cutoff it is 1 (the word) + its n-grams.
                self._counted = all(rows[i + 1, -1] == 1 + self._ngram_count(w)
                                    for i, w in enumerate(words) if w != EOS)
        self._vocab = {w: i for i, w in enumerate(words, start=1)}
        self._eos = rows[self._vocab[EOS]].copy() if EOS in self._vocab else np.zeros(k + 1)
        #: Row of SEPARATOR, or None when the model has it as a word (then score_joined is not available).
        self.separator_row = None if SEPARATOR in self._vocab else len(words) + 1
        if self.separator_row is not None:
            self._vocab[SEPARATOR] = self.separator_row
        self._index = dict(self._vocab)
        self._rows = rows
        self._base = self._size = len(rows)

    @classmethod
    def from_model(cls, model: Any, model_sha256: str | None = None) -> LinearScorer | None:
        """A scorer for ``model``, or None when its scores cannot be reproduced by table lookup.

        With the model file's ``model_sha256``, the vocabulary's table is taken from (or saved to) the disk cache
        (tasks/detectors/table_cache.py); a cached table whose scores differ from the model's is rebuilt.
        """
        args = model.f.getArgs()
        loss = str(args.loss).rsplit(".", 1)[-1]
        if args.wordNgrams > 1 or loss not in ("softmax", "ova", "ns") or (model.is_quantized() and args.qout):
            return None
        try:
            output = np.array(model.f.getOutputMatrix())
        except (RuntimeError, ValueError):
            return None
        # The table follows from the model's bytes and this module's code (how it is computed): both are the key.
        key = files_key([Path(__file__)], extra=model_sha256) if model_sha256 else None
        table = load_arrays(TABLE_KIND, key) if key else None

        def build(table: dict[str, np.ndarray] | None) -> LinearScorer:
            return cls(model, list(model.get_labels()), output, sigmoid=loss != "softmax", subwords=args.maxn > 0,
                       table=table)

        scorer = build(table)
        if not scorer.matches_predict(PROBES):
            if table is None:
                return None
            scorer, table = build(None), None  # a wrong table under the key: built again and saved in its place
            if not scorer.matches_predict(PROBES):
                return None
        if key and table is None:
            save_arrays(TABLE_KIND, key, scorer.word_table())
        return scorer

    def word_table(self) -> dict[str, np.ndarray]:
        """The vocabulary's part of the table (what ``__init__`` computes from the model), for the disk cache."""
        return {"rows": self._rows[: self._base], "counted": np.array(self._counted)}

    def _entries(self, words: list[str]) -> np.ndarray:
        """``[sum of the logits of the word's entries..., number of entries]`` for each word, shape (n, labels + 1)."""
        from fasttext.FastText import fasttext as pybind  # the compiled module: its Vector is a reusable buffer

        out = np.zeros((len(words), len(self.labels) + 1))
        vecs = np.zeros((len(words), self._b.shape[1]), dtype=np.float32)
        buf = pybind.Vector(self._b.shape[1])
        f = self.model.f
        for i, word in enumerate(words):
            try:
                if self._counted:  # only out-of-vocabulary words come here once counted
                    n = self._ngram_count(word)
                elif self._subwords:
                    n = len(f.getSubwords(word, "replace")[1])
                else:
                    n = 1 if f.getWordId(word) >= 0 else 0
                if n:
                    # getWordVector is the mean of the entries' input rows: times n gives their sum.
                    f.getWordVector(buf, word)
                    vecs[i] = buf
                    out[i, -1] = n
            except UnicodeError:  # a lone surrogate cannot reach fastText at all: the word counts for nothing
                continue
        # einsum, not @: a BLAS matrix product may start threads on other cores for this (n x dim x labels) product
        out[:, :-1] = np.einsum("nd,kd->nk", vecs.astype(np.float64) * out[:, -1:], self._b)
        return out

    def _ngram_count(self, word: str) -> int:
        """How many character n-grams fastText takes from ``<word>`` (``minn`` to ``maxn`` code points long)."""
        size = len(word) + 2
        lo, hi = max(self._minn, 1), min(self._maxn, size)
        if hi < lo:
            return 0
        count = (hi - lo + 1) * (size + 1) - (lo + hi) * (hi - lo + 1) // 2  # sum of size - n + 1 over n in lo..hi
        # Single characters at either end are the "<" and ">" markers, which fastText leaves out.
        return count - (2 if lo == 1 else 0)

    def _learn(self, words: set[str]) -> None:
        """Give every word of ``words`` not seen yet a row (subwords) or row 0 (no entries without subwords)."""
        new = words.difference(self._index)
        if not new:
            return
        if len(self._index) + len(new) > OOV_CACHE + len(self._vocab):
            # Bounded memory on an endless stream of new words: forget every out-of-vocabulary word seen so far.
            self._index = dict(self._vocab)
            self._size = self._base
            new = words.difference(self._index)
        if not self._subwords:
            self._index.update(dict.fromkeys(new, 0))
            return
        need = self._size + len(new)
        if need > len(self._rows):
            grown = np.zeros((max(need, len(self._rows) * 3 // 2), self._rows.shape[1]))
            grown[: self._size] = self._rows[: self._size]
            self._rows = grown
        words = list(new)
        self._rows[self._size:need] = self._entries(words)
        self._index.update(zip(words, range(self._size, need), strict=True))
        self._size = need

    def ids(self, lines: list[str]) -> list[list[int]]:
        """Row indices of the tokens of each text (row 0: a word without entries, which fastText skips)."""
        get = self._index.__getitem__
        out: list[list[int]] = []
        unseen: list[int] = []
        for line in lines:
            tokens = line.split()
            try:
                out.append(list(map(get, tokens)))
            except KeyError:  # a word not seen yet: learnt below, once for the whole batch
                unseen.append(len(out))
                out.append(tokens)  # type: ignore[arg-type]
        if unseen:
            words: set[str] = set()
            for i in unseen:
                words.update(out[i])  # type: ignore[arg-type]
            self._learn(words)
            get = self._index.__getitem__
            for i in unseen:
                out[i] = list(map(get, out[i]))  # type: ignore[arg-type]
        return out

    def probabilities(self, sums: np.ndarray) -> np.ndarray:
        """Label probabilities from summed rows ``(n, labels + 1)`` that already include ``</s>``."""
        count = sums[:, -1:]
        logits = np.divide(sums[:, :-1], count, out=np.zeros_like(sums[:, :-1]), where=count > 0)
        if self._sigmoid:
            probs = 1.0 / (1.0 + np.exp(-logits))
        else:
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
        return probs + PROB_EPSILON

    def score_documents(self, docs: list[list[str]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Probabilities ``(docs, labels)`` of each whole document and ``(windows, labels)`` of its windows.

        ``docs[i]`` holds document ``i``'s windows as normalised one-line texts; the whole document is their
        concatenation. Every window and every document is scored as fastText scores one line.
        """
        if len(docs) > CHUNK_DOCS:  # bounded arrays that stay in the CPU cache, whatever the batch size
            parts = [self.score_documents(docs[i:i + CHUNK_DOCS]) for i in range(0, len(docs), CHUNK_DOCS)]
            return np.concatenate([p[0] for p in parts]), [w for p in parts for w in p[1]]
        # Line by line (not one token list for the batch): the strings just split are still in the CPU cache.
        per_line = self.ids([w for wins in docs for w in wins])
        bounds = np.zeros(len(per_line) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in per_line], out=bounds[1:])
        ids = np.fromiter(itertools.chain.from_iterable(per_line), dtype=np.int64, count=int(bounds[-1]))
        rows = self._rows[ids]
        cum = np.zeros((len(ids) + 1, rows.shape[1]))
        np.cumsum(rows, axis=0, out=cum[1:])
        win_sums = cum[bounds[1:]] - cum[bounds[:-1]]  # (windows, labels + 1), without </s>
        per_doc = np.asarray([len(w) for w in docs], dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(per_doc)])
        doc_sums = np.add.reduceat(win_sums, first[:-1], axis=0) if len(win_sums) else win_sums
        doc_sums[per_doc == 0] = 0.0  # reduceat returns a row for empty groups; none are expected
        win_probs = self.probabilities(win_sums + self._eos)
        doc_probs = self.probabilities(doc_sums + self._eos)
        return doc_probs, [win_probs[first[i]:first[i + 1]] for i in range(len(docs))]

    def score_joined(self, docs: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Like ``score_documents`` for documents given as one normalised text each, windows separated by
        ``SEPARATOR`` tokens (spaces around it): one split and one lookup pass per document, not per window."""
        if self.separator_row is None:
            raise ValueError("this model has the separator as a word: use score_documents")
        if len(docs) > CHUNK_DOCS:
            parts = [self.score_joined(docs[i:i + CHUNK_DOCS]) for i in range(0, len(docs), CHUNK_DOCS)]
            return np.concatenate([p[0] for p in parts]), [w for p in parts for w in p[1]]
        per_doc = self.ids(docs)
        starts = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in per_doc], out=starts[1:])
        ids = np.fromiter(itertools.chain.from_iterable(per_doc), dtype=np.int64, count=int(starts[-1]))
        cum = np.zeros((len(ids) + 1, self._rows.shape[1]))
        np.cumsum(self._rows[ids], axis=0, out=cum[1:])  # the separator's row is zeros: it adds nothing
        seps = np.flatnonzero(ids == self.separator_row)
        # A window starts at its document's start or at a separator; duplicates are empty windows, kept as such.
        begins = np.sort(np.concatenate([starts[:-1], seps]), kind="stable")
        ends = np.append(begins[1:], len(ids))
        win_sums = cum[ends] - cum[begins]
        doc_sums = cum[starts[1:]] - cum[starts[:-1]]
        per = np.searchsorted(seps, starts[1:]) - np.searchsorted(seps, starts[:-1]) + 1  # windows per document
        first = np.concatenate([[0], np.cumsum(per)])
        win_probs = self.probabilities(win_sums + self._eos)
        doc_probs = self.probabilities(doc_sums + self._eos)
        return doc_probs, [win_probs[first[i]:first[i + 1]] for i in range(len(docs))]

    def matches_predict(self, texts: tuple[str, ...] | list[str], tolerance: float = 1e-4) -> bool:
        """True when this scorer gives ``model.predict``'s probabilities for every one of ``texts``."""
        lines = [" ".join(t.split()) for t in texts]
        doc_probs, _ = self.score_documents([[t] for t in lines])
        labels, probs = self.model.predict(lines, k=-1, threshold=0.0)
        col = {lab: j for j, lab in enumerate(self.labels)}
        for row, (ls, ps) in enumerate(zip(labels, probs, strict=True)):
            for lab, p in zip(ls, ps, strict=True):
                if abs(doc_probs[row, col[lab]] - float(p)) > tolerance:
                    return False
        return True
