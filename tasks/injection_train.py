"""Train the ``poison.injection`` fastText segment classifier (``data/models/injection-bipia.bin``).

Data (all allowed for training by ../shared/data/README.md; ``eval/`` and ``corpora/`` are never read here):

* positives: the BIPIA *train* attack instructions except the task-hijack questions (see ``TASK_CATEGORIES``;
  code attacks without their code block, whose lines are ordinary code), plus instructions to a model written
  here from templates (``tasks/injection_phrases.py``: overrides, "if you are an AI", "add this to your answer";
  ``tasks/injection_phrases_more.py``: other sentence shapes and other ways to garble or plug "your answer", and
  more kinds of everyday task for the ``task`` label).
* negatives: sentences of the 50 BIPIA *train* clean e-mail contexts; text already on the machine: the
  interpreter's documentation (``pydoc_data``) and standard-library docstrings, the READMEs of the installed
  Python packages, Debian's ``fortunes`` and ``wordnet-base`` packages (quotations, dialogue, glosses; used when
  installed); generated page furniture from ``faker``; and web-style sentences written here from templates
  (among them the reader's own "your" things, tutorial steps, figures with "@" and "%", small talk).

The model scores one segment (sentence or line, see ``injection_rules.segments``); the stage takes the maximum.
Run: ``.venv/bin/python -m tasks.injection_train [--data ../shared/data/train/injection-bipia] [--out ...]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tasks.detectors.injection import LABEL_BAD, LABEL_OK, LABEL_TASK, fasttext_line
from tasks.detectors.injection_rules import segments
from tasks.injection_phrases import (
    BENIGN_TEMPLATES,
    INJECTION_TEMPLATES,
    benign_requests,
    benign_twins,
    benign_you,
    code_directives,
    directives,
    fill,
    task_requests,
)
from tasks.injection_phrases_more import benign_shapes, more_directives, more_tasks
from tasks.machine_text import QUOTED, fortune_files, package_descriptions, wordnet_glosses

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "train" / "injection-bipia"
DEFAULT_OUT = ROOT / "data" / "models" / "injection-bipia.bin"
REBALANCE = 5  # positives are repeated until they are 1/REBALANCE of the negatives
# dim 16 and 20,000 bigram buckets keep the (unquantised) model at ~6 MB with the same web FPR as dim 32 / 100,000.
PARAMS = {"lr": 0.5, "epoch": 25, "wordNgrams": 2, "dim": 16, "minn": 0, "maxn": 0, "loss": "softmax",
          "bucket": 20_000, "thread": 1, "seed": 13}

def _texts_of(text: str) -> list[str]:
    return [text[s:e] for s, e in segments(text)]


# BIPIA's task-hijacking categories are plain questions and requests ("What is the capital of Brazil?"): as a
# sentence they are indistinguishable from the questions of ordinary web pages, and training on them taught the
# model that questions are attacks (web FPR 9% at 0.5). They are left out; see the model card.
TASK_CATEGORIES = {"Information Retrieval", "Content Creation", "Learning and Tutoring", "Language Translation",
                   "Programming Help"}


def bipia_attacks_by_index(data: Path) -> list[tuple[int, str]]:
    """``(index within its category, attack)`` of the training attacks (no task-hijack questions); code attacks
    lose their code block. Grouped cross-validation folds on the index or on the category
    (``benchmarks/injection_cv.py``)."""
    return [(i, a) for cat, i, a in bipia_by_category(data) if cat not in TASK_CATEGORIES]


def bipia_by_category(data: Path) -> list[tuple[str, int, str]]:
    """``(category, index within it, attack)`` of every training attack; code attacks lose their code block."""
    out = []
    for name in ("text_attack_train.json", "code_attack_train.json"):
        for cat, attacks in json.loads((data / name).read_text()).items():
            out += [(cat, i, re.sub(r"```.*?(```|$)", " ", a, flags=re.S).strip()) for i, a in enumerate(attacks)]
    return out


def bipia_tasks_by_index(data: Path, drop: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """``(index within its category, attack)`` of the training task-hijack requests (the ``task`` label), but
    those of the categories in ``drop``."""
    return [(i, a) for cat, i, a in bipia_by_category(data) if cat in TASK_CATEGORIES and cat not in drop]


def task_examples(data: Path, seed: int, exclude: int | None = None, drop: frozenset[str] = frozenset()) -> list[str]:
    """Positives of the ``task`` label: BIPIA train task requests (but index ``exclude`` and the categories in
    ``drop``) and generated ones (but the forms modelled on those)."""
    bipia = [a for i, a in bipia_tasks_by_index(data, drop) if i != exclude]
    rng = random.Random(seed)
    return bipia + task_requests(rng, 1500, exclude, drop) + more_tasks(rng, 600)


def bipia_attacks(data: Path) -> list[str]:
    """Training attack instructions (no task-hijack questions); code attacks lose their code block."""
    return [a for _, a in bipia_attacks_by_index(data)]


def bipia_emails(data: Path) -> list[str]:
    """The clean e-mail contexts of the training split."""
    rows = [json.loads(line) for line in (data / "email_train.jsonl").read_text().splitlines() if line.strip()]
    return [r["context"] for r in rows]


def python_docs() -> list[str]:
    """Paragraphs of the interpreter's own documentation (``pydoc_data.topics``), re-flowed."""
    from pydoc_data.topics import topics

    paras = []
    for body in topics.values():
        for para in re.split(r"\n\s*\n", body):
            flat = " ".join(line.strip() for line in para.splitlines())
            if len(flat.split()) >= 6 and not flat.startswith(("*", ">>>", "|")):
                paras.append(flat)
    return paras


def stdlib_docstrings(limit: int = 4000) -> list[str]:
    """Docstrings of the standard library's top-level modules, read with ``ast`` (nothing is imported)."""
    import ast
    import sysconfig

    out: list[str] = []
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node)
                if doc:
                    out += [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc) if len(p.split()) >= 3]
    return out[:limit]


def package_readmes() -> list[str]:
    """Long descriptions (READMEs) of the Python packages installed next to this one, sorted by name."""
    return [body[:20000] for _, body in package_descriptions() if len(body) > 200]


def faker_text(rng: random.Random, n: int = 6000) -> list[str]:
    """Generated web-page furniture: names, addresses, company slogans, product lines, filler sentences."""
    try:
        from faker import Faker
    except ImportError:
        raise SystemExit("training needs the 'faker' package: pip install faker") from None

    fake = Faker("en_US")
    fake.seed_instance(rng.randint(0, 2**31))
    makers = [fake.sentence, fake.paragraph, fake.catch_phrase, fake.bs, fake.address, fake.job,
              lambda: f"{fake.company()} - {fake.catch_phrase()}", lambda: f"Posted by {fake.name()} on {fake.date()}",
              lambda: f"{fake.word().title()} {fake.word()}: {fake.sentence()}", lambda: fake.sentence() + "?"]
    return [rng.choice(makers)() for _ in range(n)]


def fortunes() -> list[str]:
    """Quotations, jokes and dialogues of Debian's ``fortunes`` packages (when installed)."""
    files = fortune_files(skip=lambda path: "art" in path.name)
    return [f for texts in files.values() for f in texts if len(f.split()) >= 3]


def wordnet_sentences(rng: random.Random, limit: int = 20000) -> list[str]:
    """Glosses and quoted usage examples of Debian's ``wordnet-base`` (when installed)."""
    out: list[str] = []
    for glosses in wordnet_glosses().values():
        for gloss in glosses:
            out += [q.strip() for q in QUOTED.findall(gloss)]
            out.append(re.sub(r'"[^"]*"', "", gloss).strip(" ;"))
    rng.shuffle(out)
    return out[:limit]


def build_examples(data: Path, seed: int) -> tuple[list[str], list[str], list[str]]:
    """(BIPIA attack segments, synthetic positive segments, negative segments), deterministic for ``seed``."""
    from tasks.detectors.injection_rules import rule_hits

    rng = random.Random(seed)
    bipia = [s for a in bipia_attacks(data) for s in _texts_of(a)]
    synth = [fill(t, rng) for t in INJECTION_TEMPLATES for _ in range(8)]
    synth += directives(rng, 1500) + code_directives(rng, 400) + more_directives(rng, 1000)
    docs = bipia_emails(data) + python_docs() + stdlib_docstrings() + package_readmes() + faker_text(rng)
    docs += fortunes() + wordnet_sentences(rng)
    neg = [s for d in docs for s in _texts_of(d)]
    neg += [fill(t, rng) for t in BENIGN_TEMPLATES for _ in range(6)] + benign_you(rng, 1500)
    neg += benign_twins(rng, 3000) + benign_requests(rng, 1500) + benign_shapes(rng, 1500)
    # A README may quote an injection (an LLM tool's docs): drop strong rule hits from the benign side.
    neg = [s for s in neg if not rule_hits(s)]
    return bipia, synth, neg


def _line(text: str) -> str:
    # fastText reads any "__label__x" word as a label: fastText's own README (a negative) made an empty "__label__"
    return fasttext_line(text).replace("__label__", "label ")


def train(pos: list[str], neg: list[str], seed: int, params: dict | None = None, tasks: list[str] | None = None):
    """Train a fastText model on labelled segments (positives repeated to balance the classes).

    ``tasks`` (stand-alone requests for an assistant) get a third label, ``__label__task``: the stage counts its
    probability only for a request its document ignores (``injection_context.stray_requests``).

    The model is NOT quantised: product quantisation (``quantize``, ``dsub`` 2 or 1) moved benign web text to
    0.6-0.9 (web document FPR at 0.5 from 0.3% to 4.9% / 1.6% in the 2026-11-28 retrain), so
    the shipped model is the plain ``.bin``, kept small by ``dim`` and ``bucket``. Character n-grams are off
    (``minn = maxn = 0``). fastText runs in a fresh interpreter that imports nothing else (``_FIT``): in a process
    that has built the training data (faker, fortunes, ...) it reported "Encountered NaN" at every learning rate
    down to 0.0025, while the same file trained cleanly in a fresh process (2026-11-29). If it still diverges,
    the learning rate is halved (at most three times, each in a new process); ``model.lr_used`` says which.
    """
    import fasttext

    rng = random.Random(seed)
    reps = max(1, len(neg) // (REBALANCE * max(1, len(pos))))
    lines = [f"{LABEL_BAD} {_line(t)}" for t in pos] * reps + [f"{LABEL_OK} {_line(t)}" for t in neg]
    if tasks:
        lines += [f"{LABEL_TASK} {_line(t)}" for t in tasks] * max(1, len(neg) // (REBALANCE * len(tasks)))
    rng.shuffle(lines)
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "train.txt", Path(tmp) / "model.bin"
        data.write_text("\n".join(lines) + "\n")
        args = {**PARAMS, **(params or {})}
        for attempt in range(4):
            run = subprocess.run([sys.executable, "-c", _FIT, str(data), str(out), json.dumps(args)],
                                 capture_output=True, text=True)
            if run.returncode == 0:
                model = fasttext.load_model(str(out))
                model.lr_used = args["lr"]
                return model
            if "NaN" not in run.stderr or attempt == 3:
                raise RuntimeError(f"fastText training failed: {run.stderr[-2000:]}")
            args["lr"] = args["lr"] / 2
        raise AssertionError("unreachable")


# The child process: train from a file and save (nothing else imported; see ``train``).
_FIT = """
import json, sys
import fasttext
model = fasttext.train_supervised(input=sys.argv[1], verbose=0, **json.loads(sys.argv[3]))
model.save_model(sys.argv[2])
"""


def prob_bad(model, texts: list[str]) -> list[float]:
    """P(injection) per segment text."""
    labels, probs = model.predict([fasttext_line(t) for t in texts], k=2)
    return [float(dict(zip(lab, pr, strict=True)).get(LABEL_BAD, 0.0)) for lab, pr in zip(labels, probs, strict=True)]


def generalisation(bipia: list[str], synth: list[str], neg: list[str], seed: int) -> dict[str, float]:
    """Train without any BIPIA attack and 20% of the negatives; score the BIPIA train attacks and those negatives.

    The synthetic positives are near-duplicates of each other, so a random k-fold would flatter the model; this
    split asks the honest question: does what we wrote generalise to attacks written by someone else?
    """
    rng = random.Random(seed)
    idx = list(range(len(neg)))
    rng.shuffle(idx)
    held = set(idx[: len(idx) // 5])
    model = train(synth, [n for i, n in enumerate(neg) if i not in held], seed)
    sp = prob_bad(model, bipia)
    sn = sorted(prob_bad(model, [neg[i] for i in sorted(held)]), reverse=True)
    out = {"bipia_attack_segments": len(bipia), "heldout_negative_segments": len(sn)}
    for fpr in (0.01, 0.001):
        thr = sn[int(fpr * len(sn))]
        out[f"recall_at_segment_fpr_{fpr}"] = round(sum(p > thr for p in sp) / len(sp), 4)
    out["recall_at_0.5"] = round(sum(p >= 0.5 for p in sp) / len(sp), 4)
    out["segment_fpr_at_0.5"] = round(sum(p >= 0.5 for p in sn) / len(sn), 5)
    return out


def main() -> None:
    """Train, cross-validate and write the model (prints the numbers for the model card)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=PARAMS["seed"])
    ap.add_argument("--no-cv", action="store_true", help="skip the generalisation check (one extra model)")
    args = ap.parse_args()
    if not (args.data / "text_attack_train.json").exists():
        raise SystemExit(f"training data not found in {args.data}")
    bipia, synth, neg = build_examples(args.data, args.seed)
    print(json.dumps({"bipia_positives": len(bipia), "synthetic_positives": len(synth), "negatives": len(neg),
                      "params": PARAMS, "rebalance": REBALANCE}))
    if not args.no_cv:
        print(json.dumps({"generalisation_to_bipia_train": generalisation(bipia, synth, neg, args.seed)}))
    model = train(bipia + synth, neg, args.seed, tasks=task_examples(args.data, args.seed))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(args.out))
    print(json.dumps({"wrote": str(args.out), "bytes": args.out.stat().st_size, "lr": model.lr_used}))


if __name__ == "__main__":
    main()
