"""The model card of a ``sieve train-toxicity`` run (Markdown): data, licence, seed, parameters, held-out metrics.

``benchmarks/toxicity.py --card`` later fills the section between ``EVAL_START`` and ``EVAL_END`` with the metrics
on the evaluation sets.
"""

from __future__ import annotations

import time
from pathlib import Path

from tasks.toxicity_train import TrainReport

EVAL_START = "<!-- eval:start -->"
EVAL_END = "<!-- eval:end -->"


def model_card(report: TrainReport, licence: str, command: str = "", data_note: str = "") -> str:
    """The model card (Markdown) of a training run; ``benchmarks/toxicity.py --card`` fills the eval section."""
    p = report.params
    lines = [f"# Model card: {Path(report.model_path).name}", "",
             "A fastText supervised classifier trained by `sieve train-toxicity` (`tasks/toxicity_train.py`) for the "
             "`toxicity` stage (`tasks/detectors/toxicity.py`).", "",
             f"- file: `{report.model_path}`, {report.model_bytes:,} bytes, sha256 `{report.model_sha256}`",
             f"- built with: {report.fasttext_version}, on {time.strftime('%Y-%m-%d', time.gmtime())}",
             f"- command: `{command}`" if command else "- command: (library call)",
             "", "## Training data", "", "| file | sha256 | rows | format |", "|---|---|---|---|"]
    lines += [f"| `{s['path']}` | `{s['sha256']}` | {s['rows']:,} | {s['format']} |" for s in report.sources]
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(report.label_counts.items()))
    lines += ["", f"- licence: {licence}", f"- labels ({report.scheme} scheme): {counts}"]
    lines += [f"- {data_note}"] if data_note else []
    lines += ["- every text is normalised by `tasks.textnorm.normalize_for_model` (the stage's `normalize: sieve`)",
              "", "## Training", "",
              f"- seed {report.seed}, one thread (deterministic); {report.holdout:.0%} of every label held out "
              f"({report.holdout_rows:,} rows), {report.train_rows:,} rows trained on"
              + (", smaller labels repeated to the size of the largest (balanced)" if report.balance else ""),
              f"- fastText: epoch {p.epoch}, lr {p.lr}, dim {p.dim}, wordNgrams {p.word_ngrams}, minn {p.minn}, "
              f"maxn {p.maxn}, minCount {p.min_count}, bucket {p.fasttext_kwargs()['bucket']}, loss {p.loss}",
              f"- quantised: yes, cutoff {p.cutoff}, dsub {p.dsub}, qnorm, retrained" if p.quantize else
              "- quantised: no",
              f"- training took {report.train_seconds:.1f} s", "",
              "## Thresholds", "",
              "Chosen on the held-out training rows only, maximising "
              + ("F1 with both classes weighted as equally frequent (`--objective balanced_f1`)"
                 if report.objective == "balanced_f1" else "F1 (`--objective f1`)") + ". In `sieve.yaml`:",
              "", "```yaml",
              "stages:", "  toxicity:", f"    model: {report.model_path}", "    labels:"]
    lines += [f"      __label__{label}: {label}" for label in report.thresholds]
    lines += ["    thresholds:"] + [f"      {label}: {t}" for label, t in report.thresholds.items()]
    lines += ["```", "", "## Metrics on the held-out training rows (at the threshold)", "",
              "| label | precision | recall | F1 | PR-AUC | rows | positives |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['pr_auc']:.3f} | "
              f"{m['n']:,} | {m['positives']:,} |" for label, m in report.holdout_metrics.items()]
    for label, by_source in report.holdout_by_source.items():
        lines += ["", f"Held-out rows of each source, `{label}` at the same threshold (flagged clean = share of the "
                  "source's clean rows at or over it):", "",
                  "| source | rows | positives | precision | recall | F1 | flagged clean |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| `{Path(src).name}` | {m['n']:,} | {m['positives']:,} | {m['precision']:.3f} | "
                  f"{m['recall']:.3f} | {m['f1']:.3f} | {m['flagged_negatives']:.2%} |" for src, m in by_source.items()]
    lines += ["", "## Metrics on evaluation sets", "", EVAL_START,
              "Not measured yet: run `benchmarks/toxicity.py --card <this file>`.", EVAL_END, ""]
    return "\n".join(lines)


def replace_eval_section(card: str, body: str) -> str:
    """Return ``card`` with the text between the eval markers replaced by ``body``."""
    if EVAL_START not in card or EVAL_END not in card:
        return card.rstrip() + f"\n\n## Metrics on evaluation sets\n\n{EVAL_START}\n{body}\n{EVAL_END}\n"
    head, rest = card.split(EVAL_START, 1)
    return f"{head}{EVAL_START}\n{body.strip()}\n{EVAL_END}{rest.split(EVAL_END, 1)[1]}"
