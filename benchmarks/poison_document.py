"""Benchmark of the document-level poison detectors on real clean text with seeded planted attacks.

Reads ../shared/data (corpora as clean bases; eval/injection-bipia test attacks and e-mail contexts for
measurement only) and prints Markdown tables: false positives on every clean corpus, recall on planted items,
injection recall at FPR <= 1% on clean web text, and throughput (docs/s, one process).

Run: ``.venv/bin/python benchmarks/poison_document.py [--only unicode homoglyph injection gibberish speed]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from poison_plant import (  # noqa: E402
    UNICODE_KINDS,
    all_clean_texts,
    instruct_corpora,
    plant_gibberish,
    plant_homoglyph,
    plant_injection,
    plant_unicode,
    pseudo_token_vocab,
    shared_data_or_exit,
    web_corpora,
)

from tasks.stage import DocBatch, Stage  # noqa: E402

SEED = 20251127
PER_CORPUS = 200  # planted documents per corpus and attack kind


def stage(name: str) -> Stage:
    from tasks.registry import stage_class

    return stage_class(name)()  # type: ignore[call-arg]


def scores(st: Stage, texts: list[str], messages: list | None = None, batch: int = 500) -> list[float]:
    """The stage's per-record score for every text (one ``Score`` per record)."""
    out: list[float] = []
    for i in range(0, len(texts), batch):
        chunk = texts[i : i + batch]
        msgs = messages[i : i + batch] if messages else [None] * len(chunk)
        res = st.run(DocBatch(doc_ids=[str(j) for j in range(len(chunk))], texts=chunk,
                              kind="instruct" if messages else "text", messages=msgs))
        by_row = {s.row: s.value for s in res.scores}
        out += [by_row[j] for j in range(len(chunk))]
    return out


def flagged(st: Stage, texts: list[str], messages: list | None = None) -> list[bool]:
    """Whether each text gets a finding."""
    out = []
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        msgs = messages[i : i + 500] if messages else [None] * len(chunk)
        res = st.run(DocBatch(doc_ids=[str(j) for j in range(len(chunk))], texts=chunk,
                              kind="instruct" if messages else "text", messages=msgs))
        rows = {f.row for f in res.findings}
        out += [j in rows for j in range(len(chunk))]
    return out


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def sample(texts: list[str], n: int, rng: random.Random) -> list[str]:
    return texts if len(texts) <= n else rng.sample(texts, n)


def bench_unicode(clean: dict[str, list[str]]) -> str:
    st = stage("poison_unicode")
    rows = []
    for name, texts in clean.items():
        fp = sum(flagged(st, texts))
        rng = random.Random(f"{SEED}-{name}")
        base = sample(texts, PER_CORPUS, rng)
        rec = []
        for kind in UNICODE_KINDS:
            planted = [plant_unicode(t, kind, rng).text for t in base]
            rec.append(f"{sum(flagged(st, planted)) / len(planted):.3f}")
        rows.append([name, len(texts), fp, len(base), *rec])
    return "### poison.unicode\n" + table(["corpus", "clean docs", "false positives", "planted per kind",
                                           *[f"recall {k}" for k in UNICODE_KINDS]], rows)


def bench_homoglyph(clean: dict[str, list[str]]) -> str:
    st = stage("poison_homoglyph")
    rows = []
    for name, texts in clean.items():
        fp = sum(flagged(st, texts))
        rng = random.Random(f"{SEED}-{name}")
        base = sample(texts, PER_CORPUS, rng)
        one = [plant_homoglyph(t, rng).text for t in base]
        three = [plant_homoglyph(t, rng, n_words=3, n_chars=2).text for t in base]
        rows.append([name, len(texts), fp, f"{fp / len(texts):.4f}", len(base),
                     f"{sum(flagged(st, one)) / len(one):.3f}", f"{sum(flagged(st, three)) / len(three):.3f}"])
    return "### poison.homoglyph\n" + table(["corpus", "clean docs", "false positives", "FPR", "planted",
                                             "recall 1 word/1 char", "recall 3 words/2 chars"], rows)


def eval_attacks(shared: Path) -> list[tuple[str, str]]:
    """(family, attack) of the BIPIA *test* split: read for measurement only."""
    d = shared / "eval" / "injection-bipia"
    out = []
    task_cats = {"Information Retrieval", "Content Creation", "Learning and Tutoring", "Language Translation",
                 "Programming Help"}
    for cat, attacks in json.loads((d / "text_attack_test.json").read_text()).items():
        out += [("text-task" if cat in task_cats else "text-directive", a) for a in attacks]
    for attacks in json.loads((d / "code_attack_test.json").read_text()).values():
        out += [("code", a) for a in attacks]
    return out


def recall_at_fpr(pos: list[float], neg: list[float], fpr: float = 0.01) -> tuple[float, float]:
    """(threshold, recall) at the lowest threshold whose FPR on ``neg`` is <= ``fpr`` (strictly above)."""
    allowed = int(fpr * len(neg))
    ranked = sorted(neg, reverse=True)
    thr = ranked[allowed] if allowed < len(ranked) else 0.0
    return thr, sum(p > thr for p in pos) / len(pos)


def bench_injection(shared: Path) -> str:
    from tasks.detectors.injection import Injection, InjectionConfig

    attacks = eval_attacks(shared)
    emails = [json.loads(x)["context"] for x in (shared / "eval/injection-bipia/email_test.jsonl").read_text()
              .splitlines() if x.strip()]
    web = [t for texts in web_corpora().values() for t in texts]
    rng = random.Random(SEED)
    planted = {
        "email (BIPIA test contexts)": [(f, plant_injection(rng.choice(emails), a, rng).text) for f, a in attacks
                                        for _ in range(2)],
        "web (corpora)": [(f, plant_injection(rng.choice(web), a, rng).text) for f, a in attacks for _ in range(2)],
    }
    out, rows = [], []
    for mode, cfg in (("rules + classifier", InjectionConfig()), ("rules only", InjectionConfig(use_classifier=False))):
        st = Injection(cfg)
        thr_default = cfg.threshold
        neg_web = scores(st, web)
        neg = {"email (BIPIA test contexts)": scores(st, emails), "web (corpora)": neg_web}
        for host_name, docs in planted.items():
            pos = scores(st, [t for _, t in docs])
            thr, rec = recall_at_fpr(pos, neg_web)
            fams = {}
            for fam in ("text-task", "text-directive", "code"):
                ps = [p for (f, _), p in zip(docs, pos, strict=True) if f == fam]
                fams[fam] = f"{sum(p >= thr_default for p in ps) / len(ps):.3f}"
            n = neg[host_name]
            rows.append([mode, host_name, len(docs), f"{sum(p >= thr_default for p in pos) / len(pos):.3f}",
                         f"{sum(x >= thr_default for x in n) / len(n):.4f} ({len(n)})", f"{thr:.3f}", f"{rec:.3f}",
                         fams["text-task"], fams["text-directive"], fams["code"]])
    out.append("### poison.injection (BIPIA test attacks planted, each twice; threshold 0.5)\n" + table(
        ["mode", "host", "planted", "recall @0.5", "FPR @0.5 on clean hosts (n)", "thr @ web FPR<=1%",
         "recall @ web FPR<=1%", "task @0.5", "directive @0.5", "code @0.5"], rows))
    st = Injection()
    rows = []
    for name, msgs in instruct_corpora().items():
        texts = ["\n\n".join(m["content"] for m in ms) for ms in msgs]
        s = scores(st, texts, msgs)
        hits = sum(x >= st.config.threshold for x in s)  # type: ignore[attr-defined]
        rows.append([name, len(texts), hits, f"{hits / len(s):.4f}"])
    out.append("clean instruction data (`--kind instruct`, messages kept apart)\n" + table(
        ["corpus", "records", "flagged @0.5", "FPR"], rows))
    return "\n\n".join(out)


def bench_gibberish(clean: dict[str, list[str]]) -> str:
    st = stage("poison_gibberish")
    vocab = pseudo_token_vocab(random.Random(SEED))
    rows = []
    for name, texts in clean.items():
        fp = sum(flagged(st, texts))
        rng = random.Random(f"{SEED}-{name}")
        base = sample(texts, PER_CORPUS, rng)
        long = [plant_gibberish(t, rng, vocab).text for t in base]
        short = [plant_gibberish(t, rng, vocab, n_tokens=(60, 120)).text for t in base]
        rows.append([name, len(texts), fp, f"{fp / len(texts):.4f}", len(base),
                     f"{sum(flagged(st, long)) / len(long):.3f}", f"{sum(flagged(st, short)) / len(short):.3f}"])
    return "### poison.gibberish\n" + table(["corpus", "clean docs", "false positives", "FPR", "planted",
                                             "recall 400-900 tokens", "recall 60-120 tokens"], rows)


def bench_speed(clean: dict[str, list[str]]) -> str:
    web = [t for k in ("web-dclm", "web-c4", "web-dolma", "web-wikitext2") for t in clean[k]]
    docs = (web * (3000 // len(web) + 1))[:3000]
    chars = sum(map(len, docs)) / len(docs)
    rows = []
    for name in ("poison_unicode", "poison_homoglyph", "poison_injection", "poison_gibberish"):
        st = stage(name)
        st.run(DocBatch(doc_ids=["w"], texts=["warm up"]))
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(docs), 1000):
            st.run(DocBatch(doc_ids=[str(j) for j in range(1000)], texts=docs[i : i + 1000]))
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        # CPU seconds of this process as well as wall: other jobs on a shared machine slow the wall clock only.
        rows.append([name, len(docs), f"{dt:.2f}", f"{len(docs) / dt:,.0f}", f"{cpu:.2f}", f"{len(docs) / cpu:,.0f}"])
    return f"### throughput (one process, web docs, mean {chars:,.0f} chars)\n" + table(
        ["stage", "docs", "wall s", "docs/s (wall)", "CPU s", "docs per CPU-second"], rows)


def main() -> None:
    ap = argparse.ArgumentParser(description="document-level poison detectors benchmark")
    ap.add_argument("--only", nargs="*", default=["unicode", "homoglyph", "injection", "gibberish", "speed"])
    args = ap.parse_args()
    shared = shared_data_or_exit()
    clean = all_clean_texts()
    print(f"clean corpora: {', '.join(f'{k} ({len(v)})' for k, v in clean.items())}; seed {SEED}\n")
    sections = {"unicode": lambda: bench_unicode(clean), "homoglyph": lambda: bench_homoglyph(clean),
                "injection": lambda: bench_injection(shared), "gibberish": lambda: bench_gibberish(clean),
                "speed": lambda: bench_speed(clean)}
    for name in args.only:
        t0 = time.perf_counter()
        print(sections[name]())
        print(f"\n({name}: {time.perf_counter() - t0:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main()
