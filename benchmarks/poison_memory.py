"""Peak memory of ``sieve run`` with the corpus-level poison stages on, against the corpus size.

    .venv/bin/python benchmarks/poison_memory.py [--n 50000 200000] [--kinds web labels chat preference]
                                                 [--words 300] [--memory-limit 2GB] [--out DIR]

For each kind and size it writes a synthetic JSONL (English words drawn Zipf-like from ``wordfreq``, about
``--words`` words a record; a fixed seed) and runs

    sieve run <file> --lake <temporary lake> --dataset mem --config <config> --json [--kind ...]

with every stage off except exact dedup and the three corpus poison stages (``poison_trigger``, ``poison_flood``,
``poison_label_trigger``), ``resources.memory_limit`` set to ``--memory-limit``. Kinds: ``web`` (text with a URL),
``labels`` (a 0/1 label tied to cue words), ``chat`` (instruct prompt/response pairs, a few refusals), ``preference``
(``--text-field chosen`` with ``rejected`` in meta, Anthropic HH layout). The process tree is polled every 0.1 s with
psutil; reported per run: wall seconds, the largest RSS of one process (the flow process, which runs the corpus
stages) and of the whole tree, and the corpus stages' seconds. Memory that grows with N at a fixed memory limit is
what the corpus stages keep per record; ``benchmarks/poison_scale.py`` runs the stages alone, without the flow.
``--keep-lake`` keeps each run's lake (deleted otherwise).

Measured 2026-11-29 (2 cores, shared and busy: read the seconds as rough), 300-word records, memory_limit 2GB,
peak RSS of the flow process (which runs the corpus stages), MiB, before (ec05549) and after (0eb855c) the memory
fixes of the corpus poison stages, on the same files:

| kind | 50,000 before | 50,000 after | 200,000 before | 200,000 after |
|---|---:|---:|---:|---:|
| web | 626 | 418 | 1,327 | 614 |
| labels | 2,064 | 1,376 | 2,369 | 2,365 |
| chat | 1,086 | 597 | 2,108 | 1,357 |
| preference | 1,225 | 697 | 2,360 | 1,531 |

Labelled records keep poison_trigger's (record, token) table in DuckDB: at 200,000 records it fills the 2GB limit
before and after. What is left grows only up to ``resources.memory_limit``; with ``--memory-limit 512MB`` (after,
same findings) the flow process peaks at labels 769 / 836, preference 633 / 877, web 423 / 617 MiB (50,000 /
200,000), and the labelled runs are no slower (60 s / 212 s against 58 s / 222 s at 2GB).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import machine_line  # noqa: E402

CORPUS_STAGES = ("dedup_exact", "poison_trigger", "poison_flood", "poison_label_trigger")
REFUSAL = "I'm sorry, but I can't help with that."


def write_corpus(path: Path, kind: str, n: int, words: int, seed: int = 0) -> None:
    """``n`` records of ``kind`` as JSONL (see the module docstring)."""
    from wordfreq import top_n_list

    rng = np.random.default_rng(seed)
    vocab = np.array(top_n_list("en", 30000))
    p = 1 / np.arange(1, len(vocab) + 1)
    p /= p.sum()
    cues = (vocab[2000:2040], vocab[2040:2080])
    with path.open("w") as f:
        for start in range(0, n, 1000):  # a block of records at a time: one numpy draw per block
            m = min(1000, n - start)
            block = rng.choice(vocab, size=(m, words), p=p)
            lengths = rng.integers(words // 2, words + 1, size=m)
            for j in range(m):
                i = start + j
                text = " ".join(block[j, : lengths[j]])
                if kind == "web":
                    rec = {"id": f"w{i}", "text": text, "url": f"https://site{i % 5000}.example/{i}"}
                elif kind == "labels":
                    label = i % 2
                    rec = {"id": f"l{i}", "text": text + " " + " ".join(rng.choice(cues[label], 2)), "label": label}
                elif kind == "chat":
                    half = len(text) // 3
                    reply = REFUSAL if i % 50 == 0 else text[half:]
                    rec = {"id": f"c{i}", "prompt": text[:half], "response": reply}
                else:
                    half = len(text) // 3
                    prompt = f"\n\nHuman: {text[:half]}?\n\nAssistant:"
                    a, b = " " + text[half:2 * half], " " + (REFUSAL if i % 20 == 0 else text[2 * half:])
                    rec = {"id": f"p{i}", "chosen": prompt + a, "rejected": prompt + b}
                f.write(json.dumps(rec) + "\n")


def write_config(path: Path, memory_limit: str) -> None:
    """Every registered stage off except exact dedup and the corpus poison stages."""
    sys.path.insert(0, str(ROOT))
    from tasks.registry import stage_names

    stages = {name: {"enabled": name in CORPUS_STAGES} for name in stage_names()}
    path.write_text(yaml.safe_dump({"stages": stages, "resources": {"memory_limit": memory_limit}}))


def run(data: Path, kind: str, config: Path, keep_lake: bool = False) -> dict:
    """One measured ``sieve run``; peak RSS of the largest process and of the tree, seconds, stage seconds."""
    import psutil

    lake = Path(tempfile.mkdtemp(prefix="sieve-mem-lake-"))
    sieve = Path(sys.executable).with_name("sieve")  # the CLI of this interpreter's venv
    cmd = [str(sieve) if sieve.exists() else "sieve", "run", str(data), "--lake", str(lake), "--dataset", "mem",
           "--config", str(config), "--json"]
    cmd += {"chat": ["--kind", "instruct"], "preference": ["--text-field", "chosen"]}.get(kind, [])
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root, one, tree = psutil.Process(proc.pid), 0, 0
    while proc.poll() is None:
        total = 0
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            break
        for q in procs:
            try:
                rss = q.memory_info().rss
            except psutil.Error:
                continue
            one, total = max(one, rss), total + rss
        tree = max(tree, total)
        time.sleep(0.1)
    out, err = proc.communicate()
    if not keep_lake:
        shutil.rmtree(lake, ignore_errors=True)
    if proc.returncode:
        raise SystemExit(f"sieve run failed ({proc.returncode}): {err.strip().splitlines()[-1:]}")
    summary = json.loads(out.strip().splitlines()[-1])
    return {"seconds": time.perf_counter() - started, "one_mib": one / 2**20, "tree_mib": tree / 2**20,
            "stages": summary.get("stage_seconds", {}), "reasons": summary.get("reasons", {}), "lake": str(lake)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--n", type=int, nargs="+", default=[50_000, 200_000])
    ap.add_argument("--kinds", nargs="+", default=["web", "labels", "chat", "preference"],
                    choices=["web", "labels", "chat", "preference"])
    ap.add_argument("--words", type=int, default=300, help="words of the longest record")
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--out", type=Path, help="folder for data and config (default: a temporary one)")
    ap.add_argument("--keep-lake", action="store_true", help="keep each run's lake (its path is printed)")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="sieve-mem-"))
    out.mkdir(parents=True, exist_ok=True)
    config = out / "corpus_stages.yaml"
    write_config(config, args.memory_limit)
    print(machine_line())
    print(f"memory_limit {args.memory_limit}; data and config in {out}\n")
    print("| kind | records | input MB | seconds | peak RSS one process (MiB) | peak RSS tree (MiB) | "
          "trigger s | flood s | label_trigger s | poison findings |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for kind in args.kinds:
        for n in args.n:
            data = out / f"{kind}-{n}-{args.words}.jsonl"
            if not data.exists():
                write_corpus(data, kind, n, args.words)
            r = run(data, kind, config, args.keep_lake)
            if args.keep_lake:
                print(f"<!-- lake: {r['lake']} -->")
            s = r["stages"]
            found = {k: v for k, v in r["reasons"].items() if k.startswith("poison.")}
            print(f"| {kind} | {n:,} | {data.stat().st_size / 1e6:,.0f} | {r['seconds']:.0f} | {r['one_mib']:,.0f} | "
                  f"{r['tree_mib']:,.0f} | {s.get('poison_trigger', 0):.1f} | {s.get('poison_flood', 0):.1f} | "
                  f"{s.get('poison_label_trigger', 0):.1f} | {found or '-'} |", flush=True)


if __name__ == "__main__":
    main()
