"""``sieve train-toxicity``: train a fastText toxicity classifier and write its model card. Wiring only.

The work is in ``tasks.toxicity_train``; this module turns options into a ``TrainParams`` and prints a summary.
fastText is imported only when the command runs, so ``sieve --help`` stays fast.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import click
import typer


def train_toxicity(
    data: Annotated[list[Path], typer.Argument(help="Labelled files or folders (Davidson CSV, Jigsaw-style CSV, "
                                                    "fastText __label__ lines).")],
    out: Annotated[Path, typer.Option("--out", help="Model file to write (.ftz when quantised).")],
    card: Annotated[Path | None, typer.Option("--card", help="Model card to write (default: OUT with .md).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto | davidson | jigsaw | fasttext.")] = "auto",
    scheme: Annotated[str, typer.Option("--scheme", help="Davidson labels: binary (toxic = hate or offensive) | "
                                                         "three (hate, offensive, clean).")] = "binary",
    label_columns: Annotated[str, typer.Option("--label-columns", help="Jigsaw columns that make a row toxic, "
                                                                       "comma-separated.")] =
    "toxic,severe_toxic,obscene,threat,insult,identity_hate",
    clean_text: Annotated[list[Path] | None, typer.Option("--clean-text", help="Known non-toxic text, one per line "
                                                      "(TSV: first column), added as clean rows; repeatable.")] = None,
    epoch: Annotated[int, typer.Option("--epoch", min=1)] = 5,
    lr: Annotated[float, typer.Option("--lr", min=0.0)] = 0.1,
    dim: Annotated[int, typer.Option("--dim", min=1)] = 50,
    word_ngrams: Annotated[int, typer.Option("--word-ngrams", min=1)] = 1,
    minn: Annotated[int, typer.Option("--minn", min=0, help="Shortest character n-gram (0 = none).")] = 0,
    maxn: Annotated[int, typer.Option("--maxn", min=0, help="Longest character n-gram (0 = none).")] = 0,
    min_count: Annotated[int, typer.Option("--min-count", min=1)] = 1,
    bucket: Annotated[int, typer.Option("--bucket", min=1, help="Hash buckets for n-grams/subwords.")] = 200_000,
    loss: Annotated[str, typer.Option("--loss", help="softmax | ova | hs | ns.")] = "softmax",
    quantize: Annotated[bool, typer.Option("--quantize/--no-quantize", help="Quantise to a small .ftz.")] = True,
    cutoff: Annotated[int, typer.Option("--cutoff", min=0, help="Rows kept when quantising.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed")] = 13,
    holdout: Annotated[float, typer.Option("--holdout", help="Share of each label held out to choose the "
                                                             "thresholds and measure.")] = 0.15,
    balance: Annotated[bool, typer.Option("--balance/--no-balance", help="Repeat rows of smaller labels.")] = False,
    objective: Annotated[str, typer.Option("--objective", help="Threshold choice: balanced_f1 | f1.")] =
    "balanced_f1",
    licence: Annotated[str, typer.Option("--licence", help="Licence of the training data, for the card.")] =
    "unknown (state it with --licence)",
    data_note: Annotated[str, typer.Option("--data-note", help="One line about the data for the card.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the training report as JSON.")] = False,
) -> None:
    """Train a fastText toxicity classifier on labelled data; write the model and its model card."""
    from dataclasses import asdict

    from flows.failures import CommandFailure
    from tasks.toxicity_train import TrainingError, TrainParams, train
    from tasks.toxicity_train_card import model_card

    if loss not in ("softmax", "ova", "hs", "ns"):
        raise click.BadParameter(f"invalid value {loss!r}; valid values: softmax, ova, hs, ns", param_hint="--loss")
    params = TrainParams(epoch=epoch, lr=lr, dim=dim, word_ngrams=word_ngrams, minn=minn, maxn=maxn,
                         min_count=min_count, bucket=bucket, loss=loss, quantize=quantize, cutoff=cutoff)
    columns = tuple(c.strip() for c in label_columns.split(",") if c.strip())
    try:
        report = train(data, out, fmt=fmt, scheme=scheme, label_columns=columns, params=params, seed=seed,
                       holdout=holdout, balance=balance, objective=objective, clean_text=clean_text or ())
    except TrainingError as err:  # one "sieve: error:" line and exit 2, as every other command fails
        raise CommandFailure(str(err)) from None
    except ValueError as err:
        if "too small for quantization" not in str(err):
            raise
        # fastText's own words, which the CLI printed as "run failed: ValueError: ..." with no way out
        raise CommandFailure(f"cannot quantise: {err} (the data has too few distinct words): train with "
                             "--no-quantize, or on more data") from None
    extra = [a for p in clean_text or () for a in ("--clean-text", str(p))]
    command = shlex.join(["sieve", "train-toxicity", *map(str, data), *extra, "--out", str(out), "--format", fmt,
                          "--scheme", scheme, "--epoch", str(epoch), "--lr", str(lr), "--dim", str(dim),
                          "--word-ngrams", str(word_ngrams), "--minn", str(minn), "--maxn", str(maxn),
                          "--min-count", str(min_count), "--bucket", str(bucket), "--loss", loss,
                          "--quantize" if quantize else "--no-quantize", "--cutoff", str(cutoff), "--seed",
                          str(seed), "--holdout", str(holdout), "--balance" if balance else "--no-balance",
                          "--objective", objective])
    card_path = card or out.with_suffix(".md")
    card_path.write_text(model_card(report, licence, command, data_note), encoding="utf-8")
    if as_json:
        print(json.dumps({**asdict(report), "card": str(card_path)}, sort_keys=True, default=str))
        return
    print(f"model {out} ({report.model_bytes:,} bytes) trained on {report.train_rows:,} rows in "
          f"{report.train_seconds:.1f}s; card {card_path}")
    for label, m in report.holdout_metrics.items():
        print(f"  {label}: threshold {report.thresholds[label]}  held-out P {m['precision']:.3f} "
              f"R {m['recall']:.3f} F1 {m['f1']:.3f} PR-AUC {m['pr_auc']:.3f} ({m['n']:,} rows)")
        for src, ms in report.holdout_by_source.get(label, {}).items():
            print(f"    {Path(src).name}: P {ms['precision']:.3f} R {ms['recall']:.3f} F1 {ms['f1']:.3f} "
                  f"flagged clean {ms['flagged_negatives']:.2%} ({ms['n']:,} rows)")
