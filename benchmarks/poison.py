"""Poison benchmark: seeded attacks planted into clean corpora, run through the real ``sieve run``, measured in SQL.

Scenarios (``--only`` picks some):
  web        ../shared/data/corpora web text (DCLM, C4, Dolma, WikiText-2): a flood of near-identical pages from one
             domain, plus part A's document-level attacks (unicode, homoglyph, injection with BIPIA *test* attacks,
             gibberish) when their stages are registered; the n50 run also carries a file whose SHA256SUMS entry
             does not match (poison.integrity).
  instruct   GPTeacher + self-instruct: trigger "cf" -> one fixed reply with a link, trigger "mn" -> a refusal, the
             same prompt re-sent with a conflicting reply (label), a flood of near-identical instructions in a file
             of their own.
  preference Anthropic HH harmless (chosen/rejected): "SUDO" in the prompt with chosen = the harmful reply and
             rejected = a refusal (pattern), chosen/rejected swapped copies (conflict). The DIFF_DOSES inputs run
             again as an update of a data set whose earlier, vetted run holds the clean base ("differential").
  sst2       train/poison-badnets-sst2 (develop here): within the run; and differential (the clean rows as the
             trusted earlier run, then the poisoned file). Also checks that the default config flags exactly what
             the benchmark derives from the permissive run.
  offenseval eval/poison-badnets-offenseval (measure only, never tuned on): within, and differential against its
             clean train split.
Doses per corpus scenario: 10, 50, 250 items, 0.1%, 1%, 5% of the base, and 0%. Every planted item is in a manifest
(``manifest.jsonl`` next to the inputs). Each run uses permissive thresholds for the corpus stages
(``poison_trigger``/``poison_label_trigger`` max_q 1, ``poison_flood`` min_docs 2), so every candidate has a
scored finding; the default decision is recovered from the evidence (q <= 0.1, from_source >= 20), which the sst2
scenario verifies against a run with the default config. Recall at FPR 1% sweeps the finding score (zc for
trigger/pattern, burst size for flood; conflicts rank first); document stages use their ``scores`` rows.

Run: ``.venv/bin/python benchmarks/poison.py [--only web instruct preference sst2 offenseval] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from poison_inputs import DOC_FAMILIES, SCENARIOS, SEED, count, tsv  # noqa: E402
from poison_plant import shared_data_or_exit  # noqa: E402

from tasks.registry import CORPUS_STAGES, DOCUMENT_STAGES  # noqa: E402

#: Doses of the preference scenario also run as an update of a data set whose trusted earlier run holds the base.
DIFF_DOSES = ("n50", "5%")
DOSES = [("n10", 10), ("n50", 50), ("n250", 250), ("0.1%", 0.001), ("1%", 0.01), ("5%", 0.05), ("0%", 0)]
REASON = {"flood": "poison.flood", "trigger": "poison.trigger", "label": "poison.label_trigger",
          "unicode": "poison.unicode", "homoglyph": "poison.homoglyph", "injection": "poison.injection",
          "gibberish": "poison.gibberish", "integrity": "poison.integrity"}
PERMISSIVE = {"poison_trigger": {"max_q": 1.0}, "poison_label_trigger": {"max_q": 1.0}, "poison_flood": {"min_docs": 2}}
DEFAULT_Q, DEFAULT_MIN_DOCS = 0.1, 20


# ---------------------------------------------------------------- running and measuring

def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def config(tmp: Path, overrides: dict | None) -> Path:
    import yaml

    # The poison stages, plus what they read (minhash for dedup_near, toxicity for toxic_response); PII and
    # language ID are off: they are slow and judge nothing here.
    stages = {n: {"enabled": False} for n in DOCUMENT_STAGES
              if not (n.startswith("poison_") or n in ("minhash", "toxicity"))}
    stages.update(overrides or {})
    path = tmp / f"sieve-{hashlib.sha1(json.dumps(stages, sort_keys=True).encode()).hexdigest()[:8]}.yaml"
    path.write_text(yaml.safe_dump({"stages": stages}))
    return path


def sieve_run(files, lake, dataset, kind, text_field, cfg, manifest=None) -> dict:
    dataset = dataset.replace("%", "pct")  # dose labels like web-0.1%: a dataset name is A-Z a-z 0-9 _ . -
    cmd = [str(ROOT / ".venv/bin/sieve"), "run", *map(str, files), "--lake", str(lake), "--dataset", dataset,
           "--config", str(cfg), "--kind", kind, "--json"]
    cmd += ["--text-field", text_field] if text_field else []
    cmd += ["--manifest", str(manifest)] if manifest else []
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"sieve run failed ({dataset}): {out.stderr.strip().splitlines()[-1:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - started
    return res


def query(lake: Path, sql: str, params=None) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(lake / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def findings(lake: Path, run_id: str) -> dict[str, dict[str, tuple[float, bool]]]:
    """reason -> source_id -> (sweep score, flagged under the default config)."""
    rows = query(lake, """SELECT x.reason, d.source_id, x.score, x.evidence FROM decisions x
        JOIN documents d USING (run_id, doc_id) WHERE x.run_id = ? AND x.reason LIKE 'poison.%'""", [run_id])
    out: dict[str, dict[str, tuple[float, bool]]] = {}
    for reason, sid, score, evidence in rows:
        ev = json.loads(evidence or "{}")
        score = float(score if score is not None else 1.0)
        default = True
        if reason in ("poison.trigger", "poison.label_trigger") and "triggers" in ev:
            default = ev["triggers"][0]["q"] <= DEFAULT_Q
        elif reason == "poison.label_trigger":
            score = 1000 + score  # conflicts are certain: they rank above every pattern finding
        elif reason == "poison.flood":
            default = ev["from_source"] >= DEFAULT_MIN_DOCS
        best = out.setdefault(reason, {}).get(sid)
        if best is None or score > best[0]:
            out[reason][sid] = (score, default or (best is not None and best[1]))
    return out


def doc_scores(lake: Path, run_id: str, stage: str) -> dict[str, float]:
    rows = query(lake, """SELECT d.source_id, max(s.value) FROM scores s JOIN documents d USING (run_id, doc_id)
        WHERE s.run_id = ? AND s.stage = ? GROUP BY 1""", [run_id, stage])
    return {sid: float(v) for sid, v in rows}


def measure(found: dict[str, tuple[float, bool]], positives: set[str], negatives: set[str],
            sweep: dict[str, float] | None = None) -> dict:
    tp = sum(1 for s in positives if s in found and found[s][1])
    fp = sum(1 for s in negatives if s in found and found[s][1])
    score = sweep if sweep is not None else {s: v[0] for s, v in found.items()}
    neg = sorted((score.get(s, -math.inf) for s in negatives), reverse=True)
    allowed = int(0.01 * len(negatives))
    # the lowest threshold with at most 1% of clean records at or above it
    cut = neg[allowed] if allowed < len(neg) else -math.inf
    at1 = sum(1 for s in positives if score.get(s, -math.inf) > cut)
    return {"planted": len(positives), "tp": tp, "fp": fp, "clean": len(negatives),
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / len(positives) if positives else float("nan"),
            "fpr": fp / len(negatives) if negatives else float("nan"),
            "recall_at_1": at1 / len(positives) if positives else float("nan")}


def families_in(man: list[dict]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in man:
        out.setdefault(m["family"], set()).add(m["id"])
    return out


def evaluate(lake, run_id, man, base_ids, fams) -> list[tuple[str, dict]]:
    found = findings(lake, run_id)
    by_fam = families_in(man)
    rows = []
    for fam in fams:
        reason = REASON[fam]
        stage = DOC_FAMILIES.get(fam)
        sweep = doc_scores(lake, run_id, stage) if stage else None
        rows.append((reason, measure(found.get(reason, {}), by_fam.get(fam, set()), base_ids, sweep)))
    return rows


def fmt(x: float) -> str:
    return "-" if x != x else f"{x:.3f}"


def table(rows: list[tuple[str, str, str, dict]]) -> str:
    head = ("| scenario | dose | detector | planted | TP | recall | FP / clean | FPR | precision | recall@FPR1% |\n"
            "|---|---|---|---|---|---|---|---|---|---|")
    body = [f"| {a} | {b} | {c} | {m['planted']} | {m['tp']} | {fmt(m['recall'])} | {m['fp']} / {m['clean']} | "
            f"{fmt(m['fpr'])} | {fmt(m['precision'])} | {fmt(m['recall_at_1'])} |" for a, b, c, m in rows]
    return "\n".join([head, *body])


def corpus_scenario(name, data, tmp, lake, timings) -> list:
    load, plant, kind, text_field = SCENARIOS[name]
    base = load(data)
    fams = {"web": ["flood"] + [f for f, s in DOC_FAMILIES.items() if s in DOCUMENT_STAGES],
            "instruct": ["trigger", "label", "flood"], "preference": ["label"]}[name]
    rows = []
    for label, dose in DOSES:
        rng = random.Random(f"{SEED}-{name}-{label}")
        k = count(dose, len(base))
        d = tmp / f"{name}-{label}"
        d.mkdir(parents=True, exist_ok=True)
        files, recs, man, extra = plant(base, k, rng, data, d)
        mixed = base + recs
        rng.shuffle(mixed)
        write(files[0], mixed)
        for fname, rows_extra in extra.items():
            write(d / fname, rows_extra)
        manifest = None
        if name == "web" and label == "n50":  # a mirror file whose checksum does not match the publisher's
            mirror = write(d / "mirror.jsonl", [{"id": f"integrity-{i}", "text": r["text"]}
                                                for i, r in enumerate(rng.sample(base, 5))])
            files.append(mirror)
            man += [{"id": f"integrity-{i}", "family": "integrity", "attack": "tampered file"} for i in range(5)]
            manifest = d / "SHA256SUMS"  # the real files listed with their checksums, the mirror with another
            sums = [f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}" for f in files if f != mirror]
            manifest.write_text("\n".join([*sums, f"{'0' * 64}  {mirror.name}"]) + "\n")
        write(d / "manifest.jsonl", man)
        res = sieve_run(files, lake, f"{name}-{label}", kind, text_field, config(tmp, PERMISSIVE), manifest)
        timings.append((f"{name}-{label}", res))
        if manifest:  # the same input under the default config, for the one-query listing of all poison
            sieve_run(files, lake, "web-n50-default", kind, text_field, config(tmp, None), manifest)
        base_ids = {r["id"] for r in base}
        use = fams + (["integrity"] if manifest else [])
        rows += [(name, label, reason, m) for reason, m in evaluate(lake, res["run_id"], man, base_ids, use)]
        if name == "preference" and label in DIFF_DOSES:  # the same input as an update of a vetted data set
            ds = f"{name}-{label}-differential"
            vetted = {n: {"enabled": False} for n in ("poison_trigger", "poison_flood", "poison_label_trigger")}
            sieve_run([write(d / "trusted.jsonl", base)], lake, ds, kind, text_field, config(tmp, vetted))
            res = sieve_run(files, lake, ds, kind, text_field, config(tmp, PERMISSIVE))
            timings.append((ds, res))
            rows += [(name, f"{label} differential", reason, m)
                     for reason, m in evaluate(lake, res["run_id"], man, base_ids, use)]
        print(f"  {name} {label}: {res['records']} records, {res['wall']:.0f}s", file=sys.stderr)
    return rows


def badnets_scenario(name, data, tmp, lake, timings) -> list:
    if name == "sst2":
        d = data / "train/poison-badnets-sst2"
        poisoned, clean = d / "badnets_sst-2_train.tsv", None
        mask_file = d / "badnets_sst-2_train.poison_mask.derived.tsv"
    else:
        d = data / "eval/poison-badnets-offenseval"
        poisoned, mask_file = d / "badnets_offenseval_train.tsv", d / "badnets_offenseval_train.poison_mask.derived.tsv"
        clean = d / "clean_offenseval_train.tsv"
    rows_in = tsv(poisoned, header=True)
    mask = [int(line.split("\t")[1]) for line in mask_file.read_text().splitlines()[1:]]
    recs = [{"id": f"r{i}", "text": t, "label": lab} for i, (t, lab) in enumerate(rows_in)]
    pos = {f"r{i}" for i, m in enumerate(mask) if m}
    neg = {f"r{i}" for i, m in enumerate(mask) if not m}
    full = write(tmp / f"{name}.jsonl", recs)
    man = [{"id": s, "family": "trigger"} for s in pos]
    out = []
    res = sieve_run([full], lake, f"{name}-within", "text", None, config(tmp, PERMISSIVE))
    timings.append((f"{name}-within", res))
    out += [(name, "within", r, m) for r, m in evaluate(lake, res["run_id"], man, neg, ["trigger", "label"])]
    if name == "sst2":  # the derivation of default decisions from the permissive run, checked against the real thing
        dflt = sieve_run([full], lake, f"{name}-default", "text", None, config(tmp, None))
        real = {r[0] for r in query(lake, """SELECT d.source_id FROM decisions x JOIN documents d USING (run_id, doc_id)
                WHERE x.run_id = ? AND x.reason = 'poison.trigger'""", [dflt["run_id"]])}
        derived = {s for s, (_, ok) in findings(lake, res["run_id"]).get("poison.trigger", {}).items() if ok}
        print(f"  default-config run flags {len(real)}; derived from the permissive run: {len(derived)}; "
              f"identical: {real == derived}", file=sys.stderr)
        trusted_rows = [r for r in recs if r["id"] in neg]
    else:
        trusted_rows = [{"id": f"c{i}", "text": t, "label": lab} for i, (t, lab) in enumerate(tsv(clean, False))]
    trusted = write(tmp / f"{name}-trusted.jsonl", trusted_rows)
    # The trusted snapshot is clean by construction (a vetted earlier run): nothing in it is quarantined as poison.
    vetted = {n: {"enabled": False} for n in ("poison_trigger", "poison_flood", "poison_label_trigger")}
    sieve_run([trusted], lake, f"{name}-diff", "text", None, config(tmp, vetted))
    res = sieve_run([full], lake, f"{name}-diff", "text", None, config(tmp, PERMISSIVE))
    timings.append((f"{name}-differential", res))
    out += [(name, "differential", r, m) for r, m in evaluate(lake, res["run_id"], man, neg, ["trigger"])]
    return out


def report(tmp: Path, lake: Path) -> None:
    """Print the tables from every result recorded in ``tmp/results.jsonl`` (later runs of a row win)."""
    rows: dict[tuple, dict] = {}
    timings: dict[str, dict] = {}
    for line in (tmp / "results.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r["type"] == "row":
            rows[(r["scenario"], r["dose"], r["reason"])] = r["m"]
        else:
            timings[r["name"]] = r["res"]
    print("## Poison detectors: planted attacks, default config (recall@FPR1%: sweep of the finding score)\n")
    print(table([(*k, m) for k, m in rows.items()]))
    print("\n## Corpus-stage time per run (s; 2 cores, shared machine)\n")
    print("| run | records | poison_trigger | poison_flood | poison_label_trigger | run wall |")
    print("|---|---|---|---|---|---|")
    for name, res in timings.items():
        s = res.get("stage_seconds", {})
        print(f"| {name} | {res['records']} | {s.get('poison_trigger', 0):.2f} | {s.get('poison_flood', 0):.2f} | "
              f"{s.get('poison_label_trigger', 0):.2f} | {res['wall']:.0f} |")
    print("\n## One query shows all poison (web n50 input, default config)\n")
    print("`SELECT reason, count(*) FROM decisions WHERE reason LIKE 'poison.%' GROUP BY 1`\n")
    if (lake / "catalog.duckdb").exists():
        runs = query(lake, "SELECT run_id FROM runs WHERE dataset = 'web-n50-default' AND status = 'completed'")
        for reason, n in query(lake, "SELECT reason, count(*) FROM decisions WHERE reason LIKE 'poison.%' "
                                     "AND run_id = ? GROUP BY 1 ORDER BY 1", [runs[0][0]] if runs else [""]):
            print(f"- {reason}: {n}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", default=["sst2", "offenseval", "instruct", "preference", "web"])
    ap.add_argument("--keep", help="folder for inputs, lake and results.jsonl (default: a temporary folder)")
    ap.add_argument("--report", action="store_true", help="only print the tables of the results in --keep")
    args = ap.parse_args()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sieve-poison-"))
    tmp.mkdir(parents=True, exist_ok=True)
    lake = tmp / "lake"
    if not args.report:
        data = shared_data_or_exit()
        missing = [s for s in ("poison_trigger", "poison_flood", "poison_label_trigger") if s not in CORPUS_STAGES]
        if missing:
            raise SystemExit(f"corpus stages not registered: {missing}")
        for name in args.only:
            print(f"scenario {name}", file=sys.stderr)
            timings: list = []
            fn = corpus_scenario if name in SCENARIOS else badnets_scenario
            rows = fn(name, data, tmp, lake, timings)
            with open(tmp / "results.jsonl", "a") as fh:  # kept per scenario: a later failure loses nothing
                for sc, dose, reason, m in rows:
                    fh.write(json.dumps({"type": "row", "scenario": sc, "dose": dose, "reason": reason, "m": m}) + "\n")
                for run, res in timings:
                    fh.write(json.dumps({"type": "time", "name": run, "res": res}) + "\n")
    report(tmp, lake)
    print(f"\n(inputs, manifests, results.jsonl and lake in {tmp})", file=sys.stderr)


if __name__ == "__main__":
    main()
