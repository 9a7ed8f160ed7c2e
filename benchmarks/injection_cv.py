"""Grouped cross-validation of ``poison.injection`` on the BIPIA *train* attacks (development only).

Fold j holds out attack j of each of the 25 train categories (so paraphrases of one attack never sit on both
sides); a fastText model is trained on the rest (``tasks.injection_train``) and the stage (rules + fold model) scores
every held-out attack planted twice into hosts: clean web documents of ``../shared/data/corpora`` (hosts and clean
negatives only, no label is learnt from them) and the 50 BIPIA *train* e-mail contexts. Nothing of ``eval/`` is read.

Reports recall at web FPR <= 1% (threshold = the fold's own 1%-quantile of clean web scores), recall and FPR at the
configured threshold, per attack family. The web documents are also the clean negatives of the eval benchmark, so
settings chosen on them are tied to that text: ``other@fpr1%`` is recall at the 1%-quantile of a second clean pool
that eval never reads (``other_negatives``: assistant responses of the instruction and dialogue corpora and the
WARC HTML pages, scored as plain documents), with the web FPR that threshold gives. Fold models are cached in
``--cache`` so scoring changes can be compared without retraining (``--retrain`` after a change of the training data).

``--by-category``: five folds that each hold out whole train categories instead (one task, one garbling and one
"add this to your answer" category and two code categories; see ``category_folds``): every attack of those
categories, their ``task`` positives and the ``TASK_FORMS`` modelled on them. BIPIA's test attacks come from other
categories than its train attacks, so this is the fold design that asks the eval's question; fold j of the default
mode holds out attack j of every category, whose siblings of the same category stay in training. The directive
templates were written with every train category in view, so ``--strict`` also drops each generated positive
(``injection`` and ``task``) that uses a word found only in the held-out categories' attacks (``held_out_words``).

``--rules-prior REPS`` scores the train attacks with the rules and the stray prior only (no fold models; see
``rules_prior_only``): fold models trained where ``faker``, ``fortunes`` or ``wordnet`` are missing lose most of
their negatives and call many clean web sentences injections, which hides every change below their thresholds.

Run: ``.venv/bin/python benchmarks/injection_cv.py [--folds 0 1 2 3 4] [--retrain] [--by-category]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from poison_plant import html_corpora, instruct_corpora, plant_injection, web_corpora  # noqa: E402

from tasks.detectors.injection import Injection, InjectionConfig  # noqa: E402
from tasks.injection_train import (  # noqa: E402
    DEFAULT_DATA,
    TASK_CATEGORIES,
    bipia_by_category,
    bipia_emails,
    build_examples,
    train,
)
from tasks.stage import DocBatch  # noqa: E402

SEED = 7
TASKS = True  # train the third label (task requests) as the shipped model does


def train_attacks(data: Path) -> list[tuple[str, str, int, str]]:
    """``(family, attack, index within its category, category)`` of every BIPIA train attack."""
    out = []
    for name, fam in (("text_attack_train.json", "text"), ("code_attack_train.json", "code")):
        for cat, attacks in json.loads((data / name).read_text()).items():
            f = "code" if fam == "code" else ("task" if cat in TASK_CATEGORIES else "directive")
            out += [(f, a, i, cat) for i, a in enumerate(attacks)]
    return out


def category_folds(data: Path) -> list[frozenset[str]]:
    """The held-out train categories of each of the five ``--by-category`` folds, in file order: fold j holds out
    the j-th task category, the j-th and (j+5)-th directive categories (in BIPIA's order the first five garble the
    answer's letters or spaces, the last five add content to it) and the j-th and (j+5)-th code categories, so
    that every fold holds out text and code attacks of each kind."""
    cats: dict[str, list[str]] = {"task": [], "directive": [], "code": []}
    for f, _, i, cat in train_attacks(data):
        if i == 0:
            cats[f].append(cat)
    assert [len(v) for v in cats.values()] == [5, 10, 10], cats
    return [frozenset({cats["task"][j], cats["directive"][j], cats["directive"][j + 5], cats["code"][j],
                       cats["code"][j + 5]}) for j in range(5)]


def held_out(attacks: list[tuple[str, str, int, str]], k: int, folds: list[frozenset[str]] | None):
    """``(family, attack)`` of fold ``k``: attack index ``k`` of every category, or (``folds``, by category)
    every attack of the categories of fold ``k``."""
    return [(f, a) for f, a, i, cat in attacks if (cat in folds[k] if folds else i == k)]


def other_negatives(limit: int = 1500, seed: int = SEED) -> list[str]:
    """Clean documents that are not the eval benchmark's web negatives: assistant text of the instruction and
    dialogue corpora (responses of at least 300 characters; a dialogue's assistant turns joined) and WARC HTML."""
    out = []
    for rows in instruct_corpora().values():
        out += [t for t in ("\n\n".join(m["content"] for m in r if m["role"] != "user") for r in rows) if len(t) >= 300]
    out = random.Random(seed).sample(out, min(limit, len(out)))
    return out + [h for pages in html_corpora().values() for h in pages]


def doc_scores(st: Injection, texts: list[str]) -> list[float]:
    """The stage's record score per text."""
    out: list[float] = []
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        res = st.run(DocBatch(doc_ids=[str(j) for j in range(len(chunk))], texts=chunk))
        by = {s.row: s.value for s in res.scores}
        out += [by[j] for j in range(len(chunk))]
    return out


def held_out_words(data: Path, drop: frozenset[str]) -> frozenset[str]:
    """Content words (stemmed) of the attacks of the categories in ``drop`` that no other train attack uses: a
    template with one of them was probably modelled on a held-out category (``--strict``)."""
    from tasks.detectors.injection_context import content_words

    held: set[str] = set()
    kept: set[str] = set()
    for cat, _, a in bipia_by_category(data):
        (held if cat in drop else kept).update(content_words(a))
    return frozenset(held - kept)


def _fold_path(cache: Path, k: int, by_category: bool, strict: bool = False) -> Path:
    return cache / (f"{'strict' if strict else 'cat'}{k}.bin" if by_category else f"fold{k}.bin")


def fold_model(k: int, data: Path, cache: Path, retrain: bool, params: list[str] | None = None,
               by_category: bool = False, strict: bool = False):
    """The fastText model trained without fold ``k``'s attacks (cached on disk; trained in a fresh process)."""
    import subprocess

    import fasttext

    path = _fold_path(cache, k, by_category, strict)
    if retrain or not path.exists():
        # One process per fold: several trainings in one process hit "Encountered NaN" at every learning rate,
        # while the same fold trains cleanly in a fresh interpreter.
        subprocess.run([sys.executable, __file__, "--train-fold", str(k), "--cache", str(cache), "--data", str(data),
                        *(["--by-category"] if by_category else []), *(["--strict"] if strict else []),
                        "--params", *(params or [])], check=True)
    return fasttext.load_model(str(path))


def train_fold(k: int, data: Path, cache: Path, params: dict | None = None, by_category: bool = False,
               strict: bool = False) -> None:
    """Train and save the model without fold ``k`` (``params``: fastText settings over ``injection_train.PARAMS``;
    ``by_category``: without the categories of ``category_folds(data)[k]``, their tasks and task forms; ``strict``:
    nor the generated positives that use a word of those categories only)."""
    path = _fold_path(cache, k, by_category, strict)
    from tasks.injection_train import _texts_of, task_examples

    _, synth, neg = build_examples(data, 13)
    drop = category_folds(data)[k] if by_category else frozenset()
    index = None if by_category else k
    pos = [s for cat, i, a in bipia_by_category(data) if cat not in TASK_CATEGORIES and cat not in drop
           and i != index for s in _texts_of(a)]
    tasks = task_examples(data, 13, exclude=index, drop=drop) if TASKS else None
    if strict:
        from tasks.detectors.injection_context import content_words

        words = held_out_words(data, drop)
        n = len(synth), len(tasks or [])
        synth = [t for t in synth if not words.intersection(content_words(t))]
        tasks = [t for t in tasks if not words.intersection(content_words(t))] if tasks else tasks
        print(json.dumps({"fold": k, "held_out_words": len(words), "dropped_injection": n[0] - len(synth),
                          "dropped_task": n[1] - len(tasks or [])}), file=sys.stderr)
    model = train(pos + synth, neg, 13, params, tasks=tasks)
    cache.mkdir(parents=True, exist_ok=True)
    model.save_model(str(path))


def recall_at_fpr(pos: list[float], neg: list[float], fpr: float = 0.01) -> tuple[float, int]:
    """(threshold, hits) at the lowest threshold whose FPR on ``neg`` is <= ``fpr`` (strictly above)."""
    ranked = sorted(neg, reverse=True)
    allowed = int(fpr * len(neg))
    thr = ranked[allowed] if allowed < len(ranked) else 0.0
    return thr, sum(p > thr for p in pos)


class _NullModel:
    """A classifier that calls every segment benign: what is left is the rules and the stray-request prior."""

    def predict(self, lines: list[str], k: int = -1):
        return [("__label__benign",)] * len(lines), [[1.0]] * len(lines)


def rules_prior_only(data: Path, overrides: dict, reps: int, seed: int) -> dict:
    """Every train attack planted ``reps`` times into web hosts (as ``benchmarks/poison.py`` plants: random host,
    random sentence boundary), scored by the rules and the stray prior alone (no model that saw the attacks), against
    the web FPR-1% threshold of the shipped stage (rules + shipped model) on the clean web documents. A lower bound
    for changes of rules and of the stray signal, free of fold models (which need the full training corpus)."""
    web = [t for texts in web_corpora().values() for t in texts]
    st = Injection(InjectionConfig(**overrides))
    st.prepare()
    thr, _ = recall_at_fpr([], doc_scores(st, web))
    st._model = _NullModel()
    rng = random.Random(seed)
    docs = [(f, plant_injection(rng.choice(web), a, rng).text) for f, a, *_ in train_attacks(data)
            for _ in range(reps)]
    pos = doc_scores(st, [t for _, t in docs])
    out: dict = {"web_thr": thr, "planted": len(docs)}
    for fam in ("task", "directive", "code", "all"):
        ps = [p for (f, _), p in zip(docs, pos, strict=True) if fam in (f, "all")]
        out[f"{fam}@web_fpr1%"] = round(sum(p > thr for p in ps) / len(ps), 3)
    return out


def _numbers(pairs: list[str]) -> dict[str, float | int]:
    """``KEY=VALUE`` pairs as numbers (ints stay ints: fastText wants ``minn=3``, not ``3.0``)."""
    out: dict[str, float | int] = {}
    for k, v in (kv.split("=", 1) for kv in pairs):
        out[k] = int(v) if re.fullmatch(r"-?\d+", v) else float(v)
    return out


def main() -> None:
    """Run the folds and print one JSON summary."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/injection-cv"))
    ap.add_argument("--retrain", action="store_true")
    ap.add_argument("--dump", type=Path, help="write every scored planted doc (for error analysis)")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="InjectionConfig overrides (numbers)")
    ap.add_argument("--params", nargs="*", default=[], metavar="KEY=VALUE",
                    help="fastText training overrides for the fold models (use a separate --cache)")
    ap.add_argument("--train-fold", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--rules-prior", type=int, metavar="REPS", help="instead of the folds: rules + stray prior only, "
                    "every train attack planted REPS times (see rules_prior_only)")
    ap.add_argument("--seed", type=int, default=SEED, help="plant seed (hosts and boundaries)")
    ap.add_argument("--by-category", action="store_true", help="fold j holds out whole train categories "
                    "(category_folds) instead of attack j of every category")
    ap.add_argument("--strict", action="store_true", help="with --by-category: also drop generated positives "
                    "that use a word of the held-out categories only (held_out_words)")
    args = ap.parse_args()
    if args.train_fold is not None:
        train_fold(args.train_fold, args.data, args.cache, _numbers(args.params), args.by_category, args.strict)
        return
    if args.rules_prior:
        print(json.dumps(rules_prior_only(args.data, _numbers(args.set), args.rules_prior, args.seed)))
        return
    web = [t for texts in web_corpora().values() for t in texts]
    emails = bipia_emails(args.data)
    other = other_negatives()
    attacks = train_attacks(args.data)
    folds = category_folds(args.data) if args.by_category else None
    overrides = {k: float(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    st = Injection(InjectionConfig(use_classifier=False, **overrides))
    st.prepare()  # setup() now, so that it cannot reset the fold model assigned below
    thr0 = st.config.threshold  # type: ignore[attr-defined]
    agg: dict[str, dict[str, int]] = {}
    dump, cpu = [], 0.0
    for k in args.folds:
        st._model = fold_model(k, args.data, args.cache, args.retrain, args.params, args.by_category, args.strict)
        rng = random.Random(f"{args.seed}-{k}")  # --seed: other hosts and boundaries, same folds
        held = held_out(attacks, k, folds)
        c0 = time.process_time()
        neg = doc_scores(st, web)
        cpu += time.process_time() - c0
        neg_mail = doc_scores(st, emails)
        neg_other = doc_scores(st, other)
        thr_o, _ = recall_at_fpr([], neg_other)
        for host, pool in (("web", web), ("email", emails)):
            docs = [(f, a, plant_injection(rng.choice(pool), a, rng).text) for f, a in held for _ in range(2)]
            pos = doc_scores(st, [t for _, _, t in docs])
            thr, _ = recall_at_fpr(pos, neg)
            for (f, a, _t), p in zip(docs, pos, strict=True):
                for key in (f"{host}", f"{host}/{f}"):
                    row = agg.setdefault(key, {"n": 0, "at1": 0, "at_thr": 0, "other1": 0})
                    row["n"] += 1
                    row["at1"] += p > thr
                    row["other1"] += p > thr_o
                    row["at_thr"] += p >= thr0
                dump.append({"fold": k, "host": host, "family": f, "attack": a, "score": p, "thr1": thr,
                             "thr_other": thr_o})
        n = agg.setdefault("clean", {"web": 0, "web_fp": 0, "email": 0, "email_fp": 0, "other": 0, "other_fp": 0,
                                     "web_fp_other1": 0})
        n["other"] += len(neg_other)
        n["other_fp"] += sum(x >= thr0 for x in neg_other)
        n["web_fp_other1"] += sum(x > thr_o for x in neg)
        n["web"] += len(neg)
        n["web_fp"] += sum(x >= thr0 for x in neg)
        n["email"] += len(neg_mail)
        n["email_fp"] += sum(x >= thr0 for x in neg_mail)
    out = {k: ({"n": v["n"], "recall@fpr1%": round(v["at1"] / v["n"], 3), f"recall@{thr0}":
                round(v["at_thr"] / v["n"], 3), "other@fpr1%": round(v["other1"] / v["n"], 3)}
                if "n" in v else v) for k, v in sorted(agg.items())}
    c = agg["clean"]
    out["clean"] = {"web_fpr@thr": round(c["web_fp"] / c["web"], 4),
                    "email_fpr@thr": round(c["email_fp"] / c["email"], 4),
                    "other_fpr@thr": round(c["other_fp"] / c["other"], 4), "other_docs": c["other"] // len(args.folds),
                    "web_fpr@other1%": round(c["web_fp_other1"] / c["web"], 4)}
    out["web_docs_per_cpu_s"] = round(len(web) * len(args.folds) / cpu, 1)
    print(json.dumps(out, indent=1))
    if args.dump:
        args.dump.write_text("\n".join(json.dumps(d) for d in dump) + "\n")


if __name__ == "__main__":
    main()
