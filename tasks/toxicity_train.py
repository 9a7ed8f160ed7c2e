"""Train a fastText toxicity classifier from labelled data and write the model plus its model card.

Three input formats are read (``detect_format`` picks one from the file when ``fmt="auto"``):

* ``davidson``: the CSV of Davidson et al. 2017 (``class`` 0 hate / 1 offensive / 2 neither, text in ``tweet``);
  ``scheme="binary"`` maps hate and offensive to ``toxic`` and neither to ``clean``, ``"three"`` keeps three labels.
* ``jigsaw``: Jigsaw-style CSV (``comment_text`` plus 0/1 columns); a row is ``toxic`` when any of
  ``label_columns`` is 1, else ``clean``.
* ``fasttext``: lines of ``__label__<name> ... text``, taken as they are (the text part is still normalised).

``clean_text`` files add known non-toxic text (one text per line; in a TSV, the first column; a header line naming
the column is skipped) under the clean label: tweets alone teach a model that any ordinary sentence unlike a tweet is
suspect, and a few thousand clean sentences of another kind (the bundled model uses SST-2's movie-review sentences)
cut its false alarms on non-tweet text.

Every text goes through ``tasks.textnorm.normalize_for_model``, the same function the stage calls. A stratified
part of the data (``holdout``) is kept out of training; the threshold of each label is the one that maximises F1
on it (by default with both classes weighted as equally frequent), so a shipped threshold is never chosen on
evaluation data. Training runs on one thread with a fixed seed, which makes fastText deterministic.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import ctypes.util
import hashlib
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.classifier_metrics import binary_metrics
from tasks.textnorm import normalize_for_model

LABEL_PREFIX = "__label__"
FORMATS = ("auto", "davidson", "jigsaw", "fasttext")
SCHEMES = ("binary", "three")
OBJECTIVES = ("balanced_f1", "f1")
JIGSAW_COLUMNS = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
_M_PERTURB = -6  # glibc's mallopt parameter number (malloc.h)
_DAVIDSON = {"binary": {"0": "toxic", "1": "toxic", "2": "clean"},
             "three": {"0": "hate", "1": "offensive", "2": "clean"}}


class TrainingError(ValueError):
    """The training data or options are unusable; the message says which file or option and why."""


@dataclass(frozen=True)
class Example:
    """One labelled text (already normalised)."""

    label: str
    text: str
    source: str = ""


@dataclass
class TrainParams:
    """fastText ``train_supervised`` hyper-parameters, plus the quantisation settings."""

    epoch: int = 5
    lr: float = 0.1
    dim: int = 50
    word_ngrams: int = 1
    minn: int = 0
    maxn: int = 0
    min_count: int = 1
    bucket: int = 200_000
    loss: str = "softmax"
    quantize: bool = True
    cutoff: int = 100_000
    dsub: int = 2

    def fasttext_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``fasttext.train_supervised`` (without input, seed and threads).

        The hash buckets only hold word n-grams and subwords: without either they would be dead weight in the file
        (``bucket x dim`` floats), so none are allocated.
        """
        hashed = self.word_ngrams > 1 or self.maxn > 0
        return {"epoch": self.epoch, "lr": self.lr, "dim": self.dim, "wordNgrams": self.word_ngrams,
                "minn": self.minn, "maxn": self.maxn, "minCount": self.min_count,
                "bucket": self.bucket if hashed else 0, "loss": self.loss}


@dataclass
class TrainReport:
    """What a training run did and measured: everything the model card shows."""

    sources: list[dict[str, Any]]
    fmt: str
    scheme: str
    seed: int
    holdout: float
    balance: bool
    objective: str
    params: TrainParams
    label_counts: dict[str, int]
    train_rows: int
    holdout_rows: int
    thresholds: dict[str, float] = field(default_factory=dict)
    holdout_metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    holdout_by_source: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    train_seconds: float = 0.0
    model_path: str = ""
    model_sha256: str = ""
    model_bytes: int = 0
    fasttext_version: str = ""


@contextlib.contextmanager
def zeroed_allocations() -> Iterator[None]:
    """Make glibc hand out zero-filled memory for the duration of the block (no-op elsewhere).

    The ``fasttext-numpy2-wheel`` 0.9.2 build leaves the output matrix of a new model uninitialised: in a process
    that has already freed memory (the second training in a test run, say) it starts from garbage, the loss
    explodes and training stops with ``RuntimeError: Encountered NaN`` (or, worse, silently yields a different
    model). ``mallopt(M_PERTURB, 255)`` makes every ``malloc`` fill new blocks with ``~255 == 0``, which is what the
    upstream code intends; it is reset afterwards because it costs a memset per allocation.
    """
    libc = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    if libc is None or not hasattr(libc, "mallopt") or not libc.mallopt(_M_PERTURB, 255):
        yield
        return
    try:
        yield
    finally:
        libc.mallopt(_M_PERTURB, 0)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve_files(path: Path, suffixes: tuple[str, ...] = (".csv", ".txt")) -> list[Path]:
    """A data argument is a file or a folder; a folder stands for its files with one of ``suffixes``, sorted."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in suffixes and p.is_file())
        if not files:
            raise TrainingError(f"{path}: folder holds no {' or '.join(suffixes)} file")
        return files
    if not path.exists():
        raise TrainingError(f"{path}: no such file")
    return [path]


def detect_format(path: Path) -> str:
    """Guess the format of ``path`` from its header (CSV) or first line (fastText)."""
    with open(path, encoding="utf-8", newline="") as fh:
        first = fh.readline()
    if first.startswith(LABEL_PREFIX):
        return "fasttext"
    header = next(csv.reader([first]), [])
    if "tweet" in header and "class" in header:
        return "davidson"
    if "comment_text" in header:
        return "jigsaw"
    raise TrainingError(f"{path}: cannot tell the format (a Davidson CSV has 'class' and 'tweet' columns, a "
                        f"Jigsaw CSV 'comment_text', a fastText file starts with '__label__'); pass --format")


def read_examples(path: Path, fmt: str = "auto", scheme: str = "binary",
                  label_columns: tuple[str, ...] = JIGSAW_COLUMNS) -> list[Example]:
    """Read one labelled file into normalised examples (rows with an empty text are skipped)."""
    if fmt not in FORMATS:
        raise TrainingError(f"format {fmt!r} is not valid; valid values: {', '.join(FORMATS)}")
    if scheme not in SCHEMES:
        raise TrainingError(f"scheme {scheme!r} is not valid; valid values: {', '.join(SCHEMES)}")
    fmt = detect_format(path) if fmt == "auto" else fmt
    out: list[Example] = []
    with open(path, encoding="utf-8", newline="") as fh:
        if fmt == "fasttext":
            for line in fh:
                words = line.split()
                labels = [w[len(LABEL_PREFIX):] for w in words if w.startswith(LABEL_PREFIX)]
                text = " ".join(w for w in words if not w.startswith(LABEL_PREFIX))
                if labels and text:
                    out.append(Example(labels[0], normalize_for_model(text)))
            return out
        reader = csv.DictReader(fh)
        fields = set(reader.fieldnames or ())
        if fmt == "davidson":
            _need(path, fields, ("class", "tweet"))
            mapping = _DAVIDSON[scheme]
            for row in reader:
                if row["class"] not in mapping:
                    raise TrainingError(f"{path}: class {row['class']!r} is not one of 0, 1, 2")
                out.append(Example(mapping[row["class"]], normalize_for_model(row["tweet"] or "")))
        else:
            _need(path, fields, ("comment_text", *label_columns))
            for row in reader:
                toxic = any(float(row[c] or 0) >= 0.5 for c in label_columns)
                out.append(Example("toxic" if toxic else "clean", normalize_for_model(row["comment_text"] or "")))
    return [e for e in out if e.text.strip()]


_HEADERS = {"text", "sentence", "sentences", "comment", "comment_text", "document"}


def read_clean_text(path: Path, label: str = "clean") -> list[Example]:
    """Read one text per line (TSV: the first column) as examples of ``label``; a header line is skipped."""
    out: list[Example] = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            text = line.rstrip("\n").split("\t", 1)[0].strip()
            if i == 0 and text.lower() in _HEADERS:
                continue
            norm = normalize_for_model(text)
            if norm.strip():
                out.append(Example(label, norm))
    return out


def _need(path: Path, fields: set[str], wanted: tuple[str, ...]) -> None:
    missing = [c for c in wanted if c not in fields]
    if missing:
        raise TrainingError(f"{path}: missing column(s) {', '.join(missing)}; columns are {', '.join(sorted(fields))}")


def stratified_split(examples: list[Example], fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Split into (train, holdout) with ``fraction`` of every label of every source held out, reproducibly for
    ``seed``.

    Each (source file name, label) group is shuffled with its own seed, so the rows held out of one file do not
    depend on the other files: adding generated sentences leaves Davidson's held-out rows the same, and models
    trained on different extra data can be compared on one Davidson dev set.
    """
    groups: dict[tuple[str, str], list[Example]] = {}
    for e in examples:
        groups.setdefault((Path(e.source).name if e.source else "", e.label), []).append(e)
    train: list[Example] = []
    hold: list[Example] = []
    for (name, label) in sorted(groups):
        rows = groups[(name, label)][:]
        random.Random(f"{seed}:{name}:{label}").shuffle(rows)
        k = round(len(rows) * fraction)
        hold += rows[:k]
        train += rows[k:]
    random.Random(seed).shuffle(train)
    return train, hold


def balanced(examples: list[Example], seed: int) -> list[Example]:
    """Repeat examples of the smaller labels until every label has as many rows as the largest.

    fastText has no class weights; repeating rows is the equivalent. Off by default: on Davidson it did not beat
    the plain model with a balanced-F1 threshold (same held-out F1, more flags on clean web text).
    """
    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {}
    for e in examples:
        by_label.setdefault(e.label, []).append(e)
    top = max(len(v) for v in by_label.values())
    out: list[Example] = []
    for label in sorted(by_label):
        rows = by_label[label]
        out += rows * (top // len(rows)) + rng.sample(rows, top % len(rows))
    rng.shuffle(out)
    return out


def write_fasttext_file(examples: list[Example], path: Path) -> None:
    """Write examples as fastText training lines."""
    with open(path, "w", encoding="utf-8") as fh:
        for e in examples:
            fh.write(f"{LABEL_PREFIX}{e.label} {e.text}\n")


def label_probabilities(model: Any, texts: list[str]) -> list[dict[str, float]]:
    """Every label's probability for each (normalised, one-line) text."""
    labels, probs = model.predict(texts, k=-1, threshold=0.0)
    return [{lab[len(LABEL_PREFIX):]: float(p) for lab, p in zip(ls, ps, strict=True)}
            for ls, ps in zip(labels, probs, strict=True)]


def best_threshold(y_true: list[bool], scores: list[float], objective: str = "balanced_f1") -> float:
    """The threshold (0.05 .. 0.95 by 0.01) with the highest F1; ties go to the higher threshold.

    ``balanced_f1`` weighs the classes as if equally frequent, so the threshold does not inherit the training
    data's base rate (83% toxic in Davidson, far below 1% in a web crawl); ``f1`` uses the rows as they are.
    """
    if objective not in OBJECTIVES:
        raise TrainingError(f"objective {objective!r} is not valid; valid values: {', '.join(OBJECTIVES)}")
    pos = sum(y_true)
    neg = len(y_true) - pos
    weight = pos / neg if objective == "balanced_f1" and neg and pos else 1.0
    grid = [round(0.05 + 0.01 * i, 2) for i in range(91)]
    return max(grid, key=lambda t: (binary_metrics(y_true, scores, t, weight)["f1"], t))


def train(data: list[Path], out: Path, fmt: str = "auto", scheme: str = "binary",
          label_columns: tuple[str, ...] = JIGSAW_COLUMNS, params: TrainParams | None = None, seed: int = 13,
          holdout: float = 0.15, balance: bool = False, objective: str = "balanced_f1",
          clean_label: str = "clean", clean_text: tuple[Path, ...] | list[Path] = ()) -> TrainReport:
    """Train on ``data`` (plus ``clean_text`` as clean rows), choose per-label thresholds on the held-out part, write
    the model to ``out``."""
    import fasttext

    if not hasattr(fasttext, "train_supervised"):
        raise TrainingError("the installed `fasttext` module cannot train (it is fasttext-predict's); run: pip "
                            "install --force-reinstall --no-deps 'fasttext-numpy2-wheel>=0.9.2,<0.10'")
    if not 0.0 < holdout < 0.9:
        raise TrainingError(f"holdout {holdout} must be in (0, 0.9): thresholds are chosen on held-out rows")
    params = params or TrainParams()
    files = [f for p in data for f in resolve_files(Path(p))]
    examples: list[Example] = []
    sources = []
    for f in files:
        rows = read_examples(f, fmt, scheme, label_columns)
        sources.append({"path": str(f), "sha256": sha256_file(f), "rows": len(rows),
                        "format": detect_format(f) if fmt == "auto" else fmt})
        examples += [Example(e.label, e.text, str(f)) for e in rows]
    for f in [f for p in clean_text for f in resolve_files(Path(p), (".txt", ".tsv"))]:
        rows = read_clean_text(f, clean_label)
        sources.append({"path": str(f), "sha256": sha256_file(f), "rows": len(rows),
                        "format": f"text ({clean_label})"})
        examples += [Example(e.label, e.text, str(f)) for e in rows]
    counts = Counter(e.label for e in examples)
    if len(counts) < 2:
        raise TrainingError(f"need at least two labels to train a classifier, found {dict(counts)}")
    train_rows, hold_rows = stratified_split(examples, holdout, seed)
    fit_rows = balanced(train_rows, seed) if balance else train_rows
    report = TrainReport(sources=sources, fmt=",".join(sorted({s["format"] for s in sources})), scheme=scheme,
                         seed=seed, holdout=holdout, balance=balance, objective=objective, params=params,
                         label_counts=dict(counts), train_rows=len(train_rows), holdout_rows=len(hold_rows))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sieve-train-") as tmp:
        train_file = Path(tmp) / "train.txt"
        write_fasttext_file(fit_rows, train_file)
        with zeroed_allocations():
            model = fasttext.train_supervised(input=str(train_file), seed=seed, thread=1, verbose=0,
                                              **params.fasttext_kwargs())
            if params.quantize:
                model.quantize(input=str(train_file), qnorm=True, retrain=True, cutoff=params.cutoff,
                               dsub=params.dsub, thread=1, verbose=0)
    report.train_seconds = time.perf_counter() - started
    probs = label_probabilities(model, [e.text for e in hold_rows])
    for label in sorted(counts):
        if label == clean_label:
            continue
        y = [e.label == label for e in hold_rows]
        s = [p.get(label, 0.0) for p in probs]
        report.thresholds[label] = best_threshold(y, s, objective)
        report.holdout_metrics[label] = binary_metrics(y, s, report.thresholds[label])
        if len(sources) > 1:  # each source's share of the held-out rows, measured at the same threshold
            for src in sources:
                keep = [i for i, e in enumerate(hold_rows) if e.source == src["path"]]
                report.holdout_by_source.setdefault(label, {})[src["path"]] = binary_metrics(
                    [y[i] for i in keep], [s[i] for i in keep], report.thresholds[label])
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(out))
    report.model_path = str(out)
    report.model_sha256 = sha256_file(out)
    report.model_bytes = out.stat().st_size
    report.fasttext_version = _fasttext_version()
    return report


def _fasttext_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("fasttext-numpy2-wheel", "fasttext", "fasttext-predict"):
        try:
            return f"{dist} {version(dist)}"
        except PackageNotFoundError:
            continue
    return "unknown"
