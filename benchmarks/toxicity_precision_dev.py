"""Dev measurements for the toxicity precision round (stage v5): no evaluation data is read.

Trains a variant of the bundled recipe (Davidson + the generated sentences + SST-2, epoch 7, seed 13, one thread)
with extra training files, or scores an existing model, and prints one JSON line with, at each document threshold
of ``THRESHOLDS`` (window threshold fixed at 0.98, the bundled model's):

* ``dav``: F1 on Davidson's held-out tweets (the trainer's per-file 15%: the same 2,974 whatever else is trained);
* ``gen``: F1 on the generated sentences of templates held out whole (``dev.txt``);
* ``forum``: the stage's F1 (whole text and windows) on held-out comment-thread templates (``dev_forum.txt``);
* ``mean3``: the mean of those three, the selection objective;
* ``pool``: share of the held-out clean pool (``tasks.toxicity_clean_pool``, source files never trained on) the
  stage reports, and by kind; ``civil``: the same on held-out civil comment templates (``dev_civil.txt``).

Selection rule (fixed before any variant was compared; see the model card): among all (model, threshold) pairs
with Davidson F1 >= 0.96, held-out pool flag rate <= v4's at 0.55 and held-out civil flag rate <= v4's at 0.55,
the highest ``mean3`` wins (v4 at 0.55 is one of the candidates); within 0.002 of the best, the lower pool flag
rate. (Round 1: v4 at 0.55 won.)

Round 2 (stage v5), rule fixed before any candidate was scored with it: precision at a realistic prevalence.
Comment streams and web corpora are mostly clean and the stage's false flags quarantine good data, while the dev
sets above are about half toxic, where a false flag costs little. So every (model, threshold) pair is scored at a
prevalence ``PI`` = 0.10 (a round figure for toxic content in everyday comment and web text; not derived from any
evaluation set). For each of three dev sets the stage's flags (whole text at the threshold, 0.50 .. 0.75, or a
150-char window at 0.98) give the recall R on its toxic rows and the false-flag rate FPR on its clean rows, and

    P_pi = PI * R / (PI * R + (1 - PI) * FPR),    F1_pi = 2 * P_pi * R / (P_pi + R)    (0 when R = 0)

* (a) Davidson's held-out tweets: R on the toxic ones, FPR on its own clean ones;
* (b) the held-out generated templates (``dev.txt``): R and FPR on its own rows;
* (c) the held-out comment-thread templates: R on the toxic rows of ``dev_forum.txt``, FPR over the union of its
  clean rows, the held-out civil templates (``dev_civil.txt``) and the held-out clean pool (``pool_dev.txt``:
  the everyday clean text comments appear among), all rows pooled.

``score_pi`` = the mean of the three F1_pi. Constraint: plain Davidson held-out F1 (same flags) >= 0.96. The highest
``score_pi`` wins, v4 being a candidate like any other; among pairs within 0.002 of the best, the lower pool flag
rate wins.

    python benchmarks/toxicity_precision_dev.py --model build/toxicity-v4.ftz
    python benchmarks/toxicity_precision_dev.py --train build/tox-v5/mined.ftz \
        --extra build/toxicity-clean/pool_mined.txt
    python benchmarks/toxicity_precision_dev.py --select build/tox-v5r2/*.json   # round 2's ranking
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.toxicity_dev import (  # noqa: E402
    DATA,
    clean_corpora,
    davidson_holdout,
    davidson_holdout_rows,
    fasttext_rows,
    flag_rates,
    forum_dev,
    model_stage,
)
from tasks import toxicity_train as tt  # noqa: E402
from tasks.classifier_metrics import binary_metrics  # noqa: E402
from tasks.stage import DocBatch  # noqa: E402
from tasks.textnorm import normalize_for_model  # noqa: E402

THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)
WINDOW_THRESHOLD = 0.98
#: Share of toxic texts assumed in everyday comment and web text (round 2's rule; a round figure, not measured).
PI = 0.10
#: Round 2's constraint and tie margin.
MIN_DAVIDSON_F1, TIE = 0.96, 0.002
GEN = ROOT / "build" / "toxicity-generated"
POOL = ROOT / "build" / "toxicity-clean"
CIVIL = ROOT / "build" / "toxicity-civil"
#: The bundled v4 recipe (its card's command).
V4_PARAMS = tt.TrainParams(epoch=7, lr=0.1, dim=50, word_ngrams=1, minn=3, maxn=6, min_count=1, bucket=100_000,
                           loss="softmax", quantize=True, cutoff=0)


def stage_scores(model: Path, texts: list[str]) -> tuple[list[float], list[float]]:
    """The stage's whole-text and worst-window ``toxic`` scores per text (flags follow for any threshold)."""
    stage = model_stage(model, 0.5, WINDOW_THRESHOLD)
    res = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=texts))
    doc, win = [0.0] * len(texts), [0.0] * len(texts)
    for s in res.scores:
        if s.name == "toxic_doc":
            doc[s.row] = s.value
        elif s.name == "toxic_window":
            win[s.row] = s.value
    return doc, win


def _flags(doc: list[float], win: list[float], thr: float, wt: float = WINDOW_THRESHOLD) -> list[float]:
    return [1.0 if d >= thr or w >= wt else 0.0 for d, w in zip(doc, win, strict=True)]


def at_prevalence(recall: float, fpr: float, pi: float = PI) -> dict:
    """Precision and F1 a scorer with this recall and false-flag rate would have where ``pi`` of the texts are
    toxic (the dev sets' own mix of labels plays no part)."""
    found, false = pi * recall, (1 - pi) * fpr
    p = found / (found + false) if found + false else 0.0
    f1 = 2 * p * recall / (p + recall) if p + recall else 0.0
    return {"r": round(recall, 4), "fpr": round(fpr, 4), "p_pi": round(p, 4), "f1_pi": round(f1, 4)}


def _rate(flags: list[float], want: list[bool], label: bool) -> float:
    picked = [f for f, y in zip(flags, want, strict=True) if y == label]
    return sum(picked) / len(picked)


def prevalence_scores(sets: dict[str, tuple[list[bool], list[float], list[float]]], thr: float,
                      wt: float = WINDOW_THRESHOLD) -> dict:
    """Round 2's figures at one document threshold: F1 at ``PI`` per set (R on its toxic rows, FPR on its clean
    rows, the stage's flags), their mean ``score_pi`` and the plain Davidson F1 of the same flags."""
    out: dict = {}
    for name, (y, doc, win) in sets.items():
        flags = _flags(doc, win, thr, wt)
        out[name] = at_prevalence(_rate(flags, y, True), _rate(flags, y, False))
    dav_y, dav_doc, dav_win = sets["dav"]
    out["dav_f1"] = round(binary_metrics(dav_y, _flags(dav_doc, dav_win, thr, wt), 0.5)["f1"], 4)
    out["score_pi"] = round(sum(out[k]["f1_pi"] for k in sets) / len(sets), 4)
    return out


def measure(model: Path, wt: float = WINDOW_THRESHOLD) -> dict:
    """Every dev figure of ``model`` at each threshold of ``THRESHOLDS`` (window threshold ``wt``)."""
    import fasttext

    ft = fasttext.load_model(str(model))
    dav_y, dav_s = davidson_holdout(model, GEN)
    gen_y, gen_t = fasttext_rows(GEN / "dev.txt")
    gen_s = [p.get("toxic", 0.0) for p in tt.label_probabilities(ft, [normalize_for_model(t) for t in gen_t])]
    forum_y, forum_t = fasttext_rows(GEN / "dev_forum.txt")
    forum_doc, forum_win = stage_scores(model, forum_t)
    pool_t = fasttext_rows(POOL / "pool_dev.txt")[1]
    pool_kind = [s.split(":", 1)[0] for s in (POOL / "pool_dev.src").read_text(encoding="utf-8").splitlines()]
    pool_doc, pool_win = stage_scores(model, pool_t)
    civil_t = fasttext_rows(CIVIL / "dev_civil.txt")[1]
    civil_doc, civil_win = stage_scores(model, civil_t)
    # information only (not in the rule): the held-out toxic contrasts of the civil templates, found by the stage
    contrast_t = fasttext_rows(CIVIL / "dev_civil_toxic.txt")[1] if (CIVIL / "dev_civil_toxic.txt").is_file() else []
    contrast_doc, contrast_win = stage_scores(model, contrast_t) if contrast_t else ([], [])
    # round 2: every set through the stage (whole text and windows); set (c)'s clean rows are the comment threads'
    # own, the civil templates and the clean pool, pooled
    dav_rows = davidson_holdout_rows(GEN)
    pi_sets = {"dav": ([e.label == "toxic" for e in dav_rows], *stage_scores(model, [e.text for e in dav_rows])),
               "gen": (gen_y, *stage_scores(model, gen_t)),
               "forum": (forum_y + [False] * (len(pool_t) + len(civil_t)), forum_doc + pool_doc + civil_doc,
                         forum_win + pool_win + civil_win)}
    out = {}
    for thr in THRESHOLDS:
        dav = binary_metrics(dav_y, dav_s, thr)["f1"]
        gen = binary_metrics(gen_y, gen_s, thr)["f1"]
        fm = binary_metrics(forum_y, _flags(forum_doc, forum_win, thr, wt), 0.5)
        forum_clean = [f for f, y in zip(_flags(forum_doc, forum_win, thr, wt), forum_y, strict=True) if not y]
        pool = _flags(pool_doc, pool_win, thr, wt)
        by_kind = {k: round(sum(f for f, kk in zip(pool, pool_kind, strict=True) if kk == k)
                            / pool_kind.count(k), 4) for k in sorted(set(pool_kind))}
        civil = _flags(civil_doc, civil_win, thr, wt)
        out[thr] = {"dav": round(dav, 3), "gen": round(gen, 3), "forum": round(fm["f1"], 3),
                    "forum_p": round(fm["precision"], 3), "forum_r": round(fm["recall"], 3),
                    "forum_clean_flag": round(sum(forum_clean) / len(forum_clean), 4),
                    "mean3": round((dav + gen + fm["f1"]) / 3, 4), "pool": round(sum(pool) / len(pool), 4),
                    "pool_by_kind": by_kind, "civil": round(sum(civil) / len(civil), 4)}
        out[thr]["pi"] = prevalence_scores(pi_sets, thr, wt)
        if contrast_t:
            out[thr]["contrast_recall"] = round(sum(_flags(contrast_doc, contrast_win, thr, wt)) / len(contrast_t), 4)
    return out


def select(results: list[Path]) -> list[dict]:
    """Round 2's ranking of every (run, threshold) pair in ``results`` (JSON lines of this script), best first:
    feasible pairs (plain Davidson F1 >= 0.96) by ``score_pi``; within ``TIE`` of the best, the lower pool flag
    rate first."""
    pairs = []
    for path in results:
        data = json.loads(path.read_text(encoding="utf-8"))
        for thr, r in data["by_threshold"].items():
            pairs.append({"run": path.stem, "thr": float(thr), "feasible": r["pi"]["dav_f1"] >= MIN_DAVIDSON_F1,
                          "score_pi": r["pi"]["score_pi"], "pool": r["pool"], "row": r})
    best = max((p["score_pi"] for p in pairs if p["feasible"]), default=0.0)
    return sorted(pairs, key=lambda p: (not p["feasible"], not p["score_pi"] >= best - TIE,
                                        p["pool"] if p["score_pi"] >= best - TIE else 0.0, -p["score_pi"]))


def main() -> int:
    """Train (or take) a model and print its dev figures as one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, help="score this model instead of training one")
    ap.add_argument("--train", type=Path, help="train a model to this path (the v4 recipe + --extra)")
    ap.add_argument("--extra", type=Path, nargs="*", default=[], help="extra fastText training files")
    ap.add_argument("--epoch", type=int, default=V4_PARAMS.epoch)
    ap.add_argument("--window-threshold", type=float, default=WINDOW_THRESHOLD,
                    help="window threshold of the flags (the rule's runs: 0.98)")
    ap.add_argument("--detail", type=float, help="also long comments and clean corpora at this threshold")
    ap.add_argument("--select", type=Path, nargs="+", help="rank the (run, threshold) pairs of these JSON outputs "
                                                           "by round 2's rule instead")
    args = ap.parse_args()
    if args.select:
        for p in select(args.select):
            r = p["row"]["pi"]
            print(f"{p['run']:14} {p['thr']:.2f} {'ok' if p['feasible'] else '--'} score_pi {p['score_pi']:.4f} "
                  f"dav_f1 {r['dav_f1']:.3f} pool {p['pool']:.4f} "
                  + " ".join(f"{k} P {r[k]['p_pi']:.3f} R {r[k]['r']:.3f} FPR {r[k]['fpr']:.4f}"
                             for k in ("dav", "gen", "forum")))
        return 0
    result: dict = {}
    model = args.model
    if args.train:
        data = [DATA / "train/toxicity-davidson/labeled_data.derived.csv", GEN / "train.txt", *args.extra]
        params = tt.TrainParams(**{**V4_PARAMS.__dict__, "epoch": args.epoch})
        rep = tt.train(data, args.train, params=params, seed=13, holdout=0.15, objective="balanced_f1",
                       clean_text=[DATA / "train/poison-badnets-sst2/badnets_sst-2_train.tsv"])
        model = args.train
        result.update(trainer_thr=rep.thresholds["toxic"], sha256=rep.model_sha256, bytes=rep.model_bytes,
                      train_s=round(rep.train_seconds, 1), rows=rep.train_rows)
    result["by_threshold"] = measure(model, args.window_threshold)
    if args.detail is not None:
        result["forum_long"] = forum_dev(model, GEN / "dev_forum.txt", args.detail, args.window_threshold)
        result["clean_corpora"] = flag_rates(model, args.detail, args.window_threshold, clean_corpora(600))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
