"""Toxicity with any fastText classifier: whole document and per window, per-label thresholds.

The default model (``data/models/toxicity-davidson.ftz``, card next to it) is trained by ``sieve train-toxicity``
on the Davidson tweets. Any other fastText classifier drops in through ``sieve.yaml``: ``labels`` maps the model's
labels to reason suffixes (``__label__toxic: toxic`` gives ``toxicity.toxic``; labels not listed are ignored, so
``__label__clean`` never fires; several labels mapped to one suffix add up) and ``thresholds`` sets each label's
threshold. Dolma's Jigsaw hate/NSFW models, for instance, were trained on raw text with only newlines removed: use
them with ``normalize: none``.

Long documents are scored whole and per window: the text is cut at line breaks, else sentence ends, else spaces
into windows of ``window_chars / 2`` to ``window_chars`` characters (a short tail joins the last window), so one
toxic line in a long clean page is not diluted by the rest. A label is reported when the whole document reaches its
``threshold`` or its worst window reaches ``window_threshold``: a window of a sentence or two has few words, so its
score is noisier than the document's and needs more to count (the bundled model: documents 0.75, windows 0.97; see
its card). Every record gets three scores per label in ``scores`` so thresholds can be studied in SQL:
``<label>_doc`` and ``<label>_window`` (the worst window) as the model gave them, and the decisive ``<label>``, the
higher of the document's score and the window's mapped onto the document scale (``on_document_scale``), which
reaches ``threshold`` exactly when the label is reported. The finding's evidence names the worst window's offsets
and score, and its span is that window.

Scoring: the bundled model (and any fastText classifier without word n-grams) is scored by table lookup
(``tasks.detectors.toxicity_linear``), which gives the whole document and all its windows from one pass over the
words; other models go through ``model.predict``, once per window and once for the whole text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from tasks.detectors.toxicity_linear import SEPARATOR, LinearScorer
from tasks.lake import file_sha256
from tasks.stage import DocBatch, Finding, Score, Span, Stage, StageConfig, StageResult
from tasks.textnorm import normalize_for_model, one_line

LABEL_PREFIX = "__label__"
BUNDLED_MODEL = Path(__file__).resolve().parents[2] / "data" / "models" / "toxicity-davidson.ftz"
#: Thresholds of the bundled model, chosen on held-out Davidson rows, held-out generated templates and held-out
#: comment threads and clean text, weighing precision at 10% toxic text (see its card).
BUNDLED_THRESHOLDS = {"toxic": 0.75}
#: The bundled model's window threshold: chosen on pages built from held-out training rows (see its card).
BUNDLED_WINDOW_THRESHOLD = 0.97

_SUFFIX = re.compile(r"^[A-Za-z0-9_\-]+$")


class ToxicityConfig(StageConfig):
    """``stages.toxicity`` in sieve.yaml."""

    model: str | None = Field(None, description="fastText classifier file (.bin or .ftz); default: the bundled "
                                                "data/models/toxicity-davidson.ftz")
    labels: dict[str, str] = Field(default_factory=lambda: {"__label__toxic": "toxic"},
                                   description="model label -> reason suffix (toxicity.<suffix>); model labels "
                                               "not listed are never reported")
    thresholds: dict[str, float] = Field(default_factory=dict,
                                         description="reason suffix -> threshold; unset labels use `threshold`")
    threshold: float | None = Field(None, ge=0.0, le=1.0, description="threshold of labels missing from "
                                    "`thresholds`; default: the bundled model's own, else 0.5")
    normalize: Literal["sieve", "none"] = Field("sieve", description="sieve: tasks.textnorm (what `sieve "
                                                "train-toxicity` trains on); none: newlines removed only")
    window_chars: int = Field(150, ge=50, le=1_000_000, description="longest window scored on its own")
    window_threshold: float | None = Field(None, ge=0.0, le=1.0, description="score a window must reach on its own "
                                           "to report its label; default: the bundled model's 0.97, else the "
                                           "label's threshold")
    max_windows: int = Field(64, ge=1, le=10_000, description="windows per record at most (longer records get "
                                                              "longer windows), bounding the cost per record")

    @field_validator("labels")
    @classmethod
    def _label_map(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("map at least one model label to a reason suffix, e.g. {'__label__toxic': 'toxic'}")
        for model_label, suffix in value.items():
            if not model_label.startswith(LABEL_PREFIX):
                raise ValueError(f"model label {model_label!r} must start with {LABEL_PREFIX!r}")
            if not _SUFFIX.match(suffix):
                raise ValueError(f"reason suffix {suffix!r} may hold only letters, digits, '_' and '-'")
        return value

    @model_validator(mode="after")
    def _thresholds_known(self) -> ToxicityConfig:
        unknown = sorted(set(self.thresholds) - set(self.labels.values()))
        if unknown:
            raise ValueError(f"thresholds for unknown label(s) {unknown}; valid labels: "
                             f"{', '.join(sorted(set(self.labels.values())))}")
        bad = {k: v for k, v in self.thresholds.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise ValueError(f"thresholds must be between 0 and 1: {bad}")
        return self

    def threshold_for(self, label: str) -> float:
        """The threshold of one reason suffix."""
        if label in self.thresholds:
            return self.thresholds[label]
        if self.threshold is not None:
            return self.threshold
        return BUNDLED_THRESHOLDS.get(label, 0.5) if self.model is None else 0.5

    def window_threshold_for(self, label: str) -> float:
        """The score one window of a record must reach to report ``label``."""
        if self.window_threshold is not None:
            return self.window_threshold
        return BUNDLED_WINDOW_THRESHOLD if self.model is None else self.threshold_for(label)


def windows(text: str, size: int, max_windows: int) -> list[tuple[int, int]]:
    """Cut ``text`` into contiguous ``(start, end)`` windows of about ``size`` chars at natural boundaries.

    Cuts prefer a line break, then a sentence end, then a space in the second half of the window, so windows are
    line or sentence groups of ``size / 2`` to ``size`` characters, except the last, which takes in a tail shorter
    than ``size / 2`` (up to ``1.5 * size``). A text longer than ``size * max_windows / 2`` gets longer windows.
    """
    n = len(text)
    size = max(size, -(-2 * n // max_windows))  # every window is >= size / 2, so at most max_windows of them
    if n <= size:
        return [(0, n)]
    out: list[tuple[int, int]] = []
    start = 0
    while n - start > size:
        lo, hi = start + size // 2, start + size
        cut = text.rfind("\n", lo, hi)
        if cut < 0:
            cut = max(text.rfind(". ", lo, hi), text.rfind("! ", lo, hi), text.rfind("? ", lo, hi))
            cut = cut + 1 if cut >= 0 else text.rfind(" ", lo, hi)
        if cut <= start:
            cut = hi
        out.append((start, cut))
        start = cut
    if n - start < size // 2:
        # A short tail ("Five stars", a footer link) scored alone is mostly noise: a classifier has too few words to
        # judge it and leans on its prior. It joins the window before it instead.
        out[-1] = (out[-1][0], n)
    else:
        out.append((start, n))
    return out


def on_document_scale(window: float, window_threshold: float, threshold: float) -> float:
    """A window's score mapped onto the document scale: ``window_threshold`` becomes ``threshold``.

    Piecewise linear and increasing (0 -> 0, window_threshold -> threshold, 1 -> 1), so the decisive score
    ``max(document, on_document_scale(window))`` reaches ``threshold`` exactly when the document reaches the threshold
    or the window the window threshold: one number per record to sort and cut in SQL.
    """
    if window >= window_threshold:
        if window_threshold >= 1.0:
            return 1.0
        return threshold + (window - window_threshold) * (1.0 - threshold) / (1.0 - window_threshold)
    return window * threshold / window_threshold


class ToxicityStage(Stage):
    """Scores every record with a fastText classifier; ``toxicity.<label>`` when a label reaches its threshold."""

    name = "toxicity"
    # 4: the bundled model retrained with comment-thread sentences, its window threshold 0.97 -> 0.98
    # 5: the bundled model retrained with hard negatives from a clean pool (epoch 5), its thresholds 0.55 -> 0.75
    # (chosen for precision at 10% toxic text) and, by the window-dev rule, windows 0.98 -> 0.97
    # 7: meta string fields are scored too (Stage.scan_meta): they are written to clean with the text
    version = "7"
    Config = ToxicityConfig
    scan_meta = True
    # a one- or two-word field (an author, a tag, a category) is not a text this model can judge: "hollyhock"
    # scored 0.83 and "mossyrock" 0.92 on their character n-grams
    meta_min_words = 3
    requires = (("fasttext", "fasttext-numpy2-wheel"),)

    def __init__(self, config: ToxicityConfig | None = None):
        super().__init__(config)
        self.cfg: ToxicityConfig = self.config  # type: ignore[assignment]
        self.model_path = Path(self.cfg.model).expanduser().resolve() if self.cfg.model else BUNDLED_MODEL
        self._check_model_file()
        self._prep = normalize_for_model if self.cfg.normalize == "sieve" else one_line
        self._model: Any = None
        self._linear: LinearScorer | None = None
        self._suffixes = sorted(set(self.cfg.labels.values()))
        self._sha256: str | None = None

    def _check_model_file(self) -> None:
        if not self.model_path.is_file():
            raise FileNotFoundError(f"stage 'toxicity': model file not found: {self.model_path} (set "
                                    f"stages.toxicity.model in sieve.yaml, or train one with `sieve train-toxicity`)")

    def _model_sha256(self) -> str:
        """The model file's sha256, read once: the stage's identity and the key of its cached word table."""
        if self._sha256 is None:
            self._sha256 = file_sha256(self.model_path)
        return self._sha256

    @property
    def identity(self) -> str:
        """``toxicity@<version>+<model sha256 prefix>``: a new model file re-runs the shards."""
        return f"{self.name}@{self.version}+{self._model_sha256()[:12]}"

    def setup(self) -> None:
        """Load the classifier and check that every mapped label is one of its labels."""
        import fasttext

        self._check_model_file()
        self._model = fasttext.load_model(str(self.model_path))
        model_labels = list(self._model.get_labels())
        missing = sorted(set(self.cfg.labels) - set(model_labels))
        if missing:
            raise ValueError(f"stages.toxicity.labels: {missing} not labels of {self.model_path}; the model's "
                             f"labels are: {', '.join(sorted(model_labels))}")
        # Scoring by table lookup is exact only for text split the way fastText splits it (see toxicity_linear).
        self._linear = (LinearScorer.from_model(self._model, self._model_sha256()) if self.cfg.normalize == "sieve"
                        else None)
        order = self._linear.labels if self._linear is not None else model_labels
        self._columns = {lab: i for i, lab in enumerate(order)}
        self._to_suffix = np.zeros((len(order), len(self._suffixes)))
        for lab, suffix in self.cfg.labels.items():
            self._to_suffix[self._columns[lab], self._suffixes.index(suffix)] = 1.0

    def detect(self, batch: DocBatch) -> StageResult:
        """Score each record whole and per window; report each label whose decisive score reaches its threshold."""
        cfg = self.cfg
        cuts_of = [windows(text, cfg.window_chars, cfg.max_windows) for text in batch.texts]
        joined = [self._joined(text, cuts) for text, cuts in zip(batch.texts, cuts_of, strict=True)]
        doc_scores, win_scores = self._score(joined, [len(c) for c in cuts_of])
        result = StageResult()
        for row, cuts in enumerate(cuts_of):
            for j, label in enumerate(self._suffixes):
                doc = min(float(doc_scores[row, j]), 1.0)
                col = win_scores[row][:, j]
                k = int(col.argmax())
                win = min(float(col[k]), 1.0)
                start, end = cuts[k]
                threshold, win_threshold = cfg.threshold_for(label), cfg.window_threshold_for(label)
                score = max(doc, on_document_scale(win, win_threshold, threshold))
                result.scores += [Score(row, label, score), Score(row, f"{label}_doc", doc),
                                  Score(row, f"{label}_window", win)]
                if doc < threshold and win < win_threshold:
                    continue
                result.findings.append(Finding(
                    row=row, reason=f"toxicity.{label}", score=score,
                    evidence={
                        "label": label, "threshold": threshold, "window_threshold": win_threshold,
                        "score": round(score, 4), "doc_score": round(doc, 4),
                        "decided_by": "document" if doc >= threshold else "window",
                        "window": {"start": start, "end": end, "score": round(win, 4)}, "windows": len(cuts),
                        "model": self.model_path.name, "normalize": cfg.normalize,
                    },
                    spans=(Span(start, end, label.upper()),),
                ))
        return result

    def _suffix_scores(self, probs: np.ndarray) -> np.ndarray:
        """Label probabilities ``(n, labels)`` summed into reason-suffix scores ``(n, suffixes)``.

        einsum, not ``@``: a BLAS product may start threads on other cores, and a stage gets one core.
        """
        return np.einsum("nl,ls->ns", probs, self._to_suffix)

    def _joined(self, text: str, cuts: list[tuple[int, int]]) -> str:
        """``text`` as the model sees it, its windows separated by ``SEPARATOR`` tokens.

        One normalisation call per record, not per window (a 2 KB page has about 20 windows): the windows are joined
        with a control character the normaliser leaves alone, padded with spaces so no URL or @mention runs across
        it. The model sees the whole text as the windows' words in a row (cuts fall on whitespace).
        """
        if SEPARATOR in text:
            text = text.replace(SEPARATOR, " ")  # same length: the offsets of the cuts still hold
        if len(cuts) == 1:
            return self._prep(text)
        return self._prep(f" {SEPARATOR} ".join([text[s:e] for s, e in cuts]))

    def _score(self, joined: list[str], counts: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Reason-suffix scores ``(docs, suffixes)`` of each whole record and ``(windows, suffixes)`` of its windows.

        ``joined`` holds each record's normalised windows separated by ``SEPARATOR``, ``counts`` how many windows
        each has. Several model labels mapped to one suffix add up ("hate or offensive").
        """
        if self._linear is not None and self._linear.separator_row is not None:
            doc_probs, win_probs = self._linear.score_joined(joined)
            if [len(w) for w in win_probs] == counts:
                return self._suffix_scores(doc_probs), [self._suffix_scores(w) for w in win_probs]
        parts = [j.split(SEPARATOR) for j in joined]
        if [len(p) for p in parts] != counts:  # cannot happen with the two normalisers offered
            raise RuntimeError("stage 'toxicity': the normaliser dropped a window separator")
        if self._linear is not None:
            doc_probs, win_probs = self._linear.score_documents(parts)
            return self._suffix_scores(doc_probs), [self._suffix_scores(w) for w in win_probs]
        inputs: list[str] = []
        for wins in parts:
            inputs += wins
            if len(wins) > 1:
                inputs.append(" ".join(wins))
        labels, probs = self._model.predict(inputs, k=-1, threshold=0.0) if inputs else ([], [])
        table = np.zeros((len(inputs), len(self._columns)))
        for i, (ls, ps) in enumerate(zip(labels, probs, strict=True)):
            for lab, p in zip(ls, ps, strict=True):
                table[i, self._columns[lab]] = p
        table = self._suffix_scores(table)
        doc_scores, win_scores, at = np.zeros((len(parts), len(self._suffixes))), [], 0
        for row, wins in enumerate(parts):
            win_scores.append(table[at:at + len(wins)])
            at += len(wins)
            if len(wins) > 1:
                doc_scores[row] = table[at]
                at += 1
            else:
                doc_scores[row] = table[at - 1]
        return doc_scores, win_scores
