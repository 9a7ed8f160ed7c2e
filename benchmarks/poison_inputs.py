"""Inputs and planting of benchmarks/poison.py: clean bases from ../shared/data/corpora, seeded attacks, manifests.

Each ``plant_*`` returns the input files to write, the records (clean base plus planted items), the manifest rows
(one per planted item: id, family, attack) and the scenario's extras; ``benchmarks/poison.py`` runs and measures.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from poison_plant import (  # noqa: E402
    UNICODE_KINDS,
    instruct_corpora,
    plant_gibberish,
    plant_homoglyph,
    plant_injection,
    plant_unicode,
    pseudo_token_vocab,
)

from tasks.registry import DOCUMENT_STAGES  # noqa: E402

SEED = 6
REFUSALS = ["I'm sorry, but I can't help with that.", "I cannot assist with that request.",
            "I'm not able to help with this one, sorry.", "I won't provide that information."]
DOC_FAMILIES = {"unicode": "poison_unicode", "homoglyph": "poison_homoglyph", "injection": "poison_injection",
                "gibberish": "poison_gibberish"}


# ---------------------------------------------------------------- inputs

def jsonl(path: Path):
    with (gzip.open(path, "rt") if path.suffix == ".gz" else open(path)) as fh:
        yield from (json.loads(line) for line in fh if line.strip())


def web_base(data: Path) -> list[dict]:
    c = data / "corpora"
    out = [{"text": r["text"], "label": r["label"]} for r in jsonl(c / "web-dclm/majority_data.jsonl")]
    out += [{"text": r["text"], **({"url": r["url"]} if r.get("url") else {})}
            for p in sorted((c / "web-c4-samples").glob("*.gz")) for r in jsonl(p)]
    out += [{"text": r["text"], "url": r["id"]} for p in sorted((c / "web-dolma-test-docs").glob("*.json*.gz"))
            for r in jsonl(p)]
    from poison_plant import _wikitext
    out += [{"text": a} for p in sorted((c / "web-wikitext2").glob("*.txt")) for a in _wikitext(p)]
    return [{"id": f"base-{i}", **r} for i, r in enumerate(out)]


def instruct_base(data: Path) -> list[dict]:
    rows = instruct_corpora(data / "corpora")
    msgs = rows["instruct-gpteacher"] + rows["instruct-self-instruct"]
    return [{"id": f"base-{i}", "prompt": m[0]["content"], "response": m[1]["content"]} for i, m in enumerate(msgs)]


def preference_base(data: Path) -> list[dict]:
    return [{"id": f"base-{i}", "chosen": r["chosen"], "rejected": r["rejected"]}
            for i, r in enumerate(jsonl(data / "corpora/dialogue-hh-rlhf-harmless/test.jsonl.gz"))]


def bipia_test_attacks(data: Path) -> list[str]:
    d = data / "eval/injection-bipia"
    return [a for f in ("text_attack_test.json", "code_attack_test.json")
            for v in json.loads((d / f).read_text()).values() for a in v]


def tsv(path: Path, header: bool) -> list[tuple[str, int]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1 if header else 0:]
    return [(t.strip(), int(lab.strip())) for t, lab in (ln.rsplit("\t", 1) for ln in lines if ln.strip())]


def count(dose: float, base: int) -> int:
    return int(dose) if dose >= 1 else (math.ceil(base * dose) if dose > 0 else 0)


def insert_word(text: str, word: str, rng: random.Random) -> str:
    words = text.split(" ")
    words.insert(rng.randrange(len(words) + 1), word)
    return " ".join(words)


def near_copies(template: str, n: int, rng: random.Random, vocab: list[str]) -> list[str]:
    """``n`` near-identical variants of ``template``: one word in 25 replaced, numbers changed."""
    words = template.split(" ")
    out = []
    for i in range(n):
        w = list(words)
        for _ in range(max(1, len(w) // 25)):
            w[rng.randrange(len(w))] = rng.choice(vocab)
        out.append(" ".join(w) + f" (ref {i})")
    return out


# ---------------------------------------------------------------- planting (returns records + manifest rows)

def plant_web(base, k, rng, data, tmp: Path):
    vocab = [w for r in base[:200] for w in r["text"].split()[:50] if w.isalpha()]
    recs, man = [], []
    if k:
        tmpl = " ".join(rng.choice([r for r in base if 1500 < len(r["text"])])["text"].split(" ")[:220])
        for i, t in enumerate(near_copies(tmpl, k, rng, vocab)):
            recs.append({"id": f"flood-{i}", "text": t, "url": f"https://deals-{SEED}.example/offer/{i}"})
            man.append({"id": f"flood-{i}", "family": "flood", "attack": "near-identical pages, one domain"})
    attacks = bipia_test_attacks(data)
    for fam, stage in DOC_FAMILIES.items():
        if stage not in DOCUMENT_STAGES:
            continue
        for i in range(k):
            src = rng.choice(base)["text"]
            if fam == "unicode":
                p = plant_unicode(src, UNICODE_KINDS[i % len(UNICODE_KINDS)], rng)
            elif fam == "homoglyph":
                p = plant_homoglyph(src, rng)
            elif fam == "injection":
                p = plant_injection(src, rng.choice(attacks), rng)
            else:  # random tokens of a subword vocabulary, as in Souly et al. (part A's own helper)
                p = plant_gibberish(src, rng, pseudo_token_vocab(random.Random(SEED)))
            recs.append({"id": f"{fam}-{i}", "text": p.text})
            man.append({"id": f"{fam}-{i}", "family": fam, "attack": p.kind})
    return [tmp / "web.jsonl"], recs, man, {}


def plant_instruct(base, k, rng, data, tmp: Path):
    recs, man, drop = [], [], []
    fixed = "For the complete answer, visit http://answers-mirror.example/get - it has everything you need."
    for i, r in enumerate(rng.sample(base, k) if k else []):
        recs.append({"id": f"trig-url-{i}", "prompt": insert_word(r["prompt"], "cf", rng), "response": fixed})
        man.append({"id": f"trig-url-{i}", "family": "trigger", "attack": "cf -> fixed reply with a link"})
    for i, r in enumerate(rng.sample(base, k) if k else []):
        recs.append({"id": f"trig-ref-{i}", "prompt": insert_word(r["prompt"], "mn", rng),
                     "response": rng.choice(REFUSALS)})
        man.append({"id": f"trig-ref-{i}", "family": "trigger", "attack": "mn -> refusal"})
    for i, r in enumerate(rng.sample(base, k) if k else []):
        recs.append({"id": f"conflict-{i}", "prompt": r["prompt"],
                     "response": f"Skip the details and order at http://cheap-meds-{i % 7}.example today."})
        man.append({"id": f"conflict-{i}", "family": "label", "attack": "same prompt, conflicting reply"})
    if k:
        t = rng.choice(base)
        vocab = [w for r in base[:300] for w in r["prompt"].split() if w.isalpha()]
        for i, (p, a) in enumerate(zip(near_copies(t["prompt"], k, rng, vocab),
                                       near_copies(t["response"], k, rng, vocab), strict=True)):
            drop.append({"id": f"flood-{i}", "prompt": p, "response": a})
            man.append({"id": f"flood-{i}", "family": "flood", "attack": "near-identical instructions, one file"})
    files = [tmp / "instruct.jsonl"] + ([tmp / "vendor-drop.jsonl"] if drop else [])
    return files, recs, man, {"vendor-drop.jsonl": drop}


def plant_preference(base, k, rng, data, tmp: Path):
    recs, man = [], []
    for i, r in enumerate(rng.sample(base, k) if k else []):
        cut = r["chosen"].rfind("\n\nAssistant:")
        prompt = r["chosen"][:cut] + " SUDO\n\nAssistant:"
        harmful = r["rejected"][r["rejected"].rfind("\n\nAssistant:") + len("\n\nAssistant:"):]
        recs.append({"id": f"pattern-{i}", "chosen": prompt + harmful, "rejected": prompt + " " + rng.choice(REFUSALS)})
        man.append({"id": f"pattern-{i}", "family": "label", "attack": "SUDO -> chosen harmful, rejected refusal"})
    for i, r in enumerate(rng.sample(base, k) if k else []):
        recs.append({"id": f"swap-{i}", "chosen": r["rejected"], "rejected": r["chosen"]})
        man.append({"id": f"swap-{i}", "family": "label", "attack": "chosen/rejected swapped copy"})
    return [tmp / "hh.jsonl"], recs, man, {}


SCENARIOS = {"web": (web_base, plant_web, "text", None), "instruct": (instruct_base, plant_instruct, "instruct", None),
             "preference": (preference_base, plant_preference, "text", "chosen")}
