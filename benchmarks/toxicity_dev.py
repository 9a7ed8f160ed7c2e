"""Dev measurements for a toxicity training recipe: no evaluation data is read.

Trains with ``tasks.toxicity_train.train`` (Davidson + the training side of ``tasks.toxicity_phrases`` + SST-2
clean sentences, the bundled recipe) or scores an existing model, and reports:

* Davidson's own held-out rows (the trainer's stratified 15%, never trained on), at the trainer's threshold;
* generated sentences of templates held out whole (``split_by_template``): phrasings the model never saw;
* comment-thread sentences of templates held out whole (``dev_forum.txt``, ``tasks.toxicity_forum``) as the stage
  scores them (whole text and windows) and as whole texts only, plus "long comments" joining 3 to 6 of them (one
  toxic sentence makes a toxic comment), where the windows matter;
* the share of clean documents the stage reports (doc + windows) on web, news, Wikipedia and instruction text
  from ``corpora/`` (realistic clean input, used only to count false flags, never as labels).

    python benchmarks/toxicity_dev.py --model data/models/toxicity-davidson.ftz --threshold 0.55 \
        --gen build/toxicity-generated --trained-with-gen
    python benchmarks/toxicity_dev.py --train build/tox-dev/m.ftz --gen build/toxicity-generated --epoch 10
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks import toxicity_train as tt  # noqa: E402
from tasks.classifier_metrics import binary_metrics  # noqa: E402
from tasks.detectors.toxicity import BUNDLED_WINDOW_THRESHOLD, ToxicityConfig, ToxicityStage  # noqa: E402
from tasks.stage import DocBatch  # noqa: E402
from tasks.textnorm import normalize_for_model  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def _jsonl_texts(path: Path, key: str = "text") -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)[key] for line in fh if line.strip()]


def clean_corpora(n: int = 600, seed: int = 1) -> dict[str, list[str]]:
    """Up to ``n`` documents from each clean corpus (a fixed random sample), by name."""
    c = DATA / "corpora"
    wiki = [p.strip() for p in (c / "web-wikitext2/wikitext2_valid.txt").read_text().split("\n")
            if len(p.strip()) > 200 and not p.strip().startswith("=")]
    roleplay = json.loads((c / "instruct-gpteacher/roleplay-simple-deduped-roleplay-instruct.json").read_text())
    sets = {
        "c4": _jsonl_texts(c / "web-c4-samples/c4-sample.01.json.gz"),
        "guardian": _jsonl_texts(c / "web-c4-samples/c4_100_domains_5_www.theguardian.com_00000000.jsonl.gz"),
        "wikitext": wiki,
        "gpteacher": [f"{r['instruction']}\n{r['input']}\n{r['response']}" for r in roleplay],
        "self-instruct": [r["instruction"] for r in
                          map(json.loads, (c / "instruct-self-instruct/user_oriented_instructions.jsonl")
                              .read_text().splitlines())],
    }
    rng = random.Random(seed)
    return {k: rng.sample(v, min(n, len(v))) for k, v in sets.items()}


def fasttext_rows(path: Path) -> tuple[list[bool], list[str]]:
    """``(is toxic, text)`` columns of a ``__label__toxic`` / ``__label__clean`` file (the generated dev sets)."""
    rows = [line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines()]
    return [lab == "__label__toxic" for lab, _ in rows], [text for _, text in rows]


def model_stage(model: Path, threshold: float, window_threshold: float, window_chars: int = 150) -> ToxicityStage:
    """The toxicity stage with ``model`` (one ``toxic`` label) at these thresholds."""
    return ToxicityStage(ToxicityConfig(model=str(model), labels={"__label__toxic": "toxic"},
                                        thresholds={"toxic": threshold}, window_chars=window_chars,
                                        window_threshold=window_threshold))


def flag_rates(model: Path, threshold: float, window_threshold: float, corpora: dict[str, list[str]]) -> dict:
    """Share of each corpus's documents the stage reports (whole text or a window)."""
    stage = model_stage(model, threshold, window_threshold)
    out = {}
    for name, texts in corpora.items():
        res = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=texts))
        out[name] = len({f.row for f in res.findings}) / len(texts)
    return out


def gen_dev(model_path: Path, dev_file: Path, threshold: float) -> dict:
    """P/R/F1/PR-AUC on the held-out templates, at ``threshold`` and at their own best threshold (for reference)."""
    import fasttext

    model = fasttext.load_model(str(model_path))
    y, texts = fasttext_rows(dev_file)
    s = [p.get("toxic", 0.0) for p in tt.label_probabilities(model, [normalize_for_model(t) for t in texts])]
    m = binary_metrics(y, s, threshold)
    best = tt.best_threshold(y, s, "f1")
    return {**m, "best_thr": best, "best_f1": binary_metrics(y, s, best)["f1"]}


def forum_dev(model: Path, dev_file: Path, threshold: float, window_threshold: float, seed: int = 3) -> dict:
    """The stage's P/R/F1 (reported texts) and PR-AUC (decisive score) on held-out comment-thread templates, single
    comments and long ones, with windows and whole text only."""
    short = list(zip(*fasttext_rows(dev_file), strict=True))
    rng = random.Random(seed)
    clean = [t for y, t in short if not y]
    long = []
    for y, t in short:
        parts = [t] + rng.sample(clean, rng.randint(2, 5))
        rng.shuffle(parts)
        long.append((y, rng.choice([" ", "\n"]).join(parts)))
    out = {}
    for name, items in (("short", short), ("long", long)):
        y = [a for a, _ in items]
        texts = [b for _, b in items]
        for scorer, chars in (("stage", 150), ("whole", 1_000_000)):
            stage = model_stage(model, threshold, window_threshold, chars)
            res = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=texts))
            score = [0.0] * len(texts)
            for sc in res.scores:
                if sc.name == "toxic":
                    score[sc.row] = sc.value
            flagged = {f.row for f in res.findings}  # P/R/F1 of what the stage reports, PR-AUC of its score
            m = binary_metrics(y, [1.0 if i in flagged else 0.0 for i in range(len(texts))], 0.5)
            out[f"{name}_{scorer}"] = {"p": round(m["precision"], 3), "r": round(m["recall"], 3),
                                       "f1": round(m["f1"], 3),
                                       "pr_auc": round(binary_metrics(y, score, threshold)["pr_auc"], 3)}
    return out


def davidson_holdout_rows(gen: Path | None) -> list[tt.Example]:
    """The Davidson rows the trainer held out (its split rebuilt: same files, order, seed), normalised."""
    files = [DATA / "train/toxicity-davidson/labeled_data.derived.csv"] + ([gen / "train.txt"] if gen else [])
    rows = [tt.Example(e.label, e.text, str(f)) for f in files for e in tt.read_examples(f)]
    sst = DATA / "train/poison-badnets-sst2/badnets_sst-2_train.tsv"
    rows += [tt.Example(e.label, e.text, str(sst)) for e in tt.read_clean_text(sst)]
    _, hold = tt.stratified_split(rows, 0.15, 13)
    return [e for e in hold if e.source == str(files[0])]


def davidson_holdout(model_path: Path, gen: Path | None) -> tuple[list[bool], list[float]]:
    """Labels and scores of the Davidson rows the trainer held out."""
    import fasttext

    hold = davidson_holdout_rows(gen)
    model = fasttext.load_model(str(model_path))
    return [e.label == "toxic" for e in hold], [p.get("toxic", 0.0) for p in
                                                tt.label_probabilities(model, [e.text for e in hold])]


def sweep(model: Path, gen: Path | None, dev: Path | None) -> dict:
    """F1 of Davidson's held-out rows and of the held-out templates at a few thresholds (to choose one on dev)."""
    y, s = davidson_holdout(model, gen)
    out = {}
    for t in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7):
        row = {"dav": round(binary_metrics(y, s, t)["f1"], 3)}
        if dev and (dev / "dev.txt").is_file():
            row["gen"] = round(gen_dev(model, dev / "dev.txt", t)["f1"], 3)
        out[t] = row
    return out


def main() -> int:
    """Train (or take) a model, print its dev numbers as one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, help="score this model instead of training one")
    ap.add_argument("--train", type=Path, help="train a model to this path")
    ap.add_argument("--gen", type=Path, help="folder with train.txt / dev.txt from tasks.toxicity_phrases")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--window-threshold", type=float, default=BUNDLED_WINDOW_THRESHOLD)
    ap.add_argument("--epoch", type=int, default=5)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--dim", type=int, default=50)
    ap.add_argument("--word-ngrams", type=int, default=1)
    ap.add_argument("--minn", type=int, default=3)
    ap.add_argument("--maxn", type=int, default=6)
    ap.add_argument("--no-quantize", action="store_true")
    ap.add_argument("--trained-with-gen", action="store_true", help="--model was trained with --gen's train.txt "
                                                                    "(rebuilds the trainer's split with it)")
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--forum-dev", type=Path, help="dev_forum.txt of tasks.toxicity_phrases --forum-n-per-label")
    args = ap.parse_args()
    result: dict = {}
    model, thr = args.model, args.threshold
    if args.train:
        data = [DATA / "train/toxicity-davidson/labeled_data.derived.csv"]
        if args.gen:
            data.append(args.gen / "train.txt")
        params = tt.TrainParams(epoch=args.epoch, lr=args.lr, dim=args.dim, word_ngrams=args.word_ngrams,
                                minn=args.minn, maxn=args.maxn, bucket=100_000, quantize=not args.no_quantize,
                                cutoff=0)
        rep = tt.train(data, args.train, params=params, seed=13, holdout=0.15,
                       clean_text=[DATA / "train/poison-badnets-sst2/badnets_sst-2_train.tsv"])
        model, thr = args.train, thr if thr is not None else rep.thresholds["toxic"]
        result["trainer_thr"] = rep.thresholds["toxic"]
        result["holdout_by_source"] = {Path(k).name: {m: round(v, 3) for m, v in d.items() if m in
                                                      ("precision", "recall", "f1", "flagged")}
                                       for k, d in rep.holdout_by_source["toxic"].items()}
        result["bytes"] = rep.model_bytes
        result["train_s"] = round(rep.train_seconds, 1)
    result["thr"] = thr
    if args.gen and (args.gen / "dev.txt").is_file():
        g = gen_dev(model, args.gen / "dev.txt", thr)
        result["gen_dev"] = {k: round(v, 3) for k, v in g.items() if k in
                             ("precision", "recall", "f1", "pr_auc", "best_thr", "best_f1", "n")}
    if args.forum_dev:
        result["forum_dev"] = forum_dev(model, args.forum_dev, thr, args.window_threshold)
    result["sweep"] = sweep(model, args.gen if args.train or args.trained_with_gen else None, args.gen)
    rates = flag_rates(model, thr, args.window_threshold, clean_corpora(args.docs))
    result["clean_flagged"] = {k: round(v, 4) for k, v in rates.items()}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
