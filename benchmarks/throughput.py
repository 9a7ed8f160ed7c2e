"""End-to-end throughput of ``sieve run`` on synthetic English documents: wall time, docs/s and peak memory.

    .venv/bin/python benchmarks/throughput.py --n 10000 100000 [--doc-bytes 2000] [--out benchmarks/out]

For each N it writes (once; cached in ``--out`` by N, document size, seed and the generator's hash) a JSONL of N
documents of about ``--doc-bytes`` bytes from the sample corpus's ``TextFactory`` (``data/sample/generate.py``),
5% of them exact duplicates of an earlier document, then runs

    sieve run <file> --lake <temporary lake> --dataset bench --config <effective config> --json

as a subprocess. Wall time covers the whole process (Prefect start-up included); peak RSS is the largest sum of
the resident memory of the process and all its descendants (workers, Prefect's local server), polled every 0.1 s
with psutil. The last JSON line of the run's stdout gives ``run_id`` and ``counts`` (records per outcome). It
prints the machine (cores, CPU model, memory) and a Markdown table: N, seconds, docs/s, peak RSS MiB, counts.

The config defaults to ``benchmarks/exact_only.yaml``: every stage is switched off except exact dedup. Stages that
file does not mention are switched off at run time (every stage in ``tasks.registry`` but ``dedup_exact``), so
the benchmark stays "exact dedup only" as stages are added; ``--as-configured`` uses the file verbatim. The
effective config is written next to the data and its path printed.

``--prefect-server`` first starts a long-running ``prefect server start`` (as a scheduled deployment has) and points
every run at it with ``PREFECT_API_URL``: the runs then measure Sieve without the ephemeral server's start-up.
The table's "in flow" column is the flow's own duration from the JSON summary (no process or API start-up).
Against a started server, one untimed run goes first: a deployment's server is long-running, and the first flow
run of a new one (cold database, its services' first rounds) is not what it serves afterwards.

``--repeat R`` times R runs per N and shows the run of median time (the lower middle one of an even R) with the
range of all: a run of a few seconds varies by 10% or more on a shared 2-core machine.

``--generate-only`` writes (or reuses) the data files and stops: it needs neither ``sieve`` nor psutil.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import machine, tree_rss  # noqa: E402

GENERATOR = ROOT / "data" / "sample" / "generate.py"
DEFAULT_CONFIG = ROOT / "benchmarks" / "exact_only.yaml"
DUP_FRACTION = 0.05
FORMAT_VERSION = 1  # bump when the generated data changes, so cached files are rebuilt
KEEP_STAGES = ("dedup_exact",)


def load_generator() -> ModuleType:
    """The module ``data/sample/generate.py`` (loaded by path: ``data/`` is not a package)."""
    spec = importlib.util.spec_from_file_location("sieve_sample_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the text generator from {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------


def plan_duplicates(n: int, seed: int) -> list[int]:
    """For each of ``n`` output positions: -1 for a new document, else the index of the unique document it copies.

    ``round(n * DUP_FRACTION)`` positions (never the first) are copies of a uniformly chosen earlier document.
    """
    rng = random.Random(seed)
    n_dup = round(n * DUP_FRACTION)
    dup_slots = set(rng.sample(range(1, n), n_dup)) if n > 1 else set()
    plan, unique = [], 0
    for pos in range(n):
        if pos in dup_slots:
            plan.append(rng.randrange(unique))
        else:
            plan.append(-1)
            unique += 1
    return plan


def make_text(factory: Any, target: int) -> str:
    """About ``target`` UTF-8 bytes of text: factory documents joined, cut at a sentence or line end."""
    text = factory.document(min(target, 3000))
    while len(text.encode("utf-8")) < target:
        text += "\n\n" + factory.document(min(max(target - len(text), 300), 3000))
    if len(text.encode("utf-8")) <= target * 1.1:
        return text
    cut = text[:target]
    end = max(cut.rfind(". "), cut.rfind("\n"))
    return cut[: end + 1].rstrip() if end > target // 2 else cut


def generator_sha256() -> str:
    """SHA-256 of the generator's source: ``generate.py`` and its ``sample_*.py`` modules (the word lists too).

    Hashing ``generate.py`` alone would keep a stale cached file after a change to a template or word list.
    """
    digest = hashlib.sha256()
    for path in [GENERATOR, *sorted(GENERATOR.parent.glob("sample_*.py"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def data_paths(out: Path, n: int, doc_bytes: int, seed: int) -> tuple[Path, Path]:
    """The cached JSONL and its metadata file for one (N, document size, seed)."""
    stem = f"bench-n{n}-b{doc_bytes}-s{seed}"
    return out / f"{stem}.jsonl", out / f"{stem}.meta.json"


def generate(out: Path, n: int, doc_bytes: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """Write (or reuse) the benchmark JSONL of ``n`` documents; return its path and metadata."""
    path, meta_path = data_paths(out, n, doc_bytes, seed)
    generator_sha = generator_sha256()
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        same = meta.get("format_version") == FORMAT_VERSION and meta.get("generator_sha256") == generator_sha
        if same and meta.get("bytes") == path.stat().st_size:
            meta["cached"] = True
            return path, meta
    gen = load_generator()
    factory = gen.TextFactory(seed)
    rng = random.Random(seed + 1)
    plan = plan_duplicates(n, seed)
    needed = {src for src in plan if src >= 0}
    kept: dict[int, str] = {}
    seen: set[str] = set()
    digest = hashlib.sha256()
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".jsonl.tmp")
    unique = 0
    with tmp.open("wb") as f:
        for pos, src in enumerate(plan):
            if src < 0:
                while True:  # a new document must not be an accidental exact duplicate
                    text = make_text(factory, rng.randint(doc_bytes * 3 // 4, doc_bytes * 5 // 4))
                    key = hashlib.sha256(gen.normalize_key(text).encode()).hexdigest()
                    if key not in seen:
                        seen.add(key)
                        break
                if unique in needed:
                    kept[unique] = text
                unique += 1
            else:
                text = kept[src]
            line = json.dumps({"id": f"bench-{pos:07d}", "text": text}, ensure_ascii=False).encode() + b"\n"
            digest.update(line)
            f.write(line)
    os.replace(tmp, path)
    meta = {
        "format_version": FORMAT_VERSION,
        "n": n,
        "unique": unique,
        "duplicates": n - unique,
        "doc_bytes": doc_bytes,
        "seed": seed,
        "bytes": path.stat().st_size,
        "sha256": digest.hexdigest(),
        "generate_seconds": round(time.perf_counter() - started, 2),
        "generator_sha256": generator_sha,
    }
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    meta["cached"] = False
    return path, meta


# ---------------------------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------------------------


def effective_config(config: Path, out: Path, as_configured: bool) -> tuple[Path, list[str]]:
    """The config file to run with and the stages it leaves on.

    Unless ``as_configured``, every registered stage that ``config`` does not mention, except ``KEEP_STAGES``, is
    added with ``enabled: false``; the result is written into ``out``.
    """
    import yaml

    sys.path.insert(0, str(ROOT))
    from tasks.registry import stage_names

    raw = yaml.safe_load(config.read_text()) or {}
    stages = raw.setdefault("stages", {}) or {}
    raw["stages"] = stages
    if not as_configured:
        for name in stage_names():
            if name not in stages and name not in KEEP_STAGES:
                stages[name] = {"enabled": False}
    enabled = [n for n in stage_names() if stages.get(n, {}).get("enabled", True)]
    if as_configured:
        return config, enabled
    path = out / f"effective-{config.stem}.yaml"
    path.write_text(f"# written by benchmarks/throughput.py from {config}\n" + yaml.safe_dump(raw, sort_keys=True))
    return path, enabled


def sieve_command() -> list[str]:
    """How to start the CLI: the venv's ``sieve``, else one on PATH, else ``python -m flows.cli``."""
    local = ROOT / ".venv" / "bin" / "sieve"
    if local.exists():
        return [str(local)]
    found = shutil.which("sieve")
    return [found] if found else [sys.executable, "-m", "flows.cli"]


class PrefectServer:
    """``prefect server start`` on a free local port for the duration of a ``with`` block."""

    def __enter__(self) -> str:
        import httpx

        from flows.ephemeral import free_port

        port = free_port()
        prefect = ROOT / ".venv" / "bin" / "prefect"
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
        self.process = subprocess.Popen([str(prefect if prefect.exists() else "prefect"), "server", "start",
                                         "--host", "127.0.0.1", "--port", str(port)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    return url
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.process.kill()
        raise SystemExit("prefect server start did not answer /health")

    def __exit__(self, *exc: Any) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run_once(
    data: Path, config: Path, extra: list[str], keep_lake: bool, api_url: str | None = None
) -> dict[str, Any]:
    """Run ``sieve run`` once on ``data`` in a fresh lake; return seconds, peak RSS, exit code and the summary."""
    try:
        import psutil
    except ImportError:
        raise SystemExit("psutil is needed to measure memory: .venv/bin/pip install psutil") from None
    lake = Path(tempfile.mkdtemp(prefix="sieve-bench-lake-"))
    cmd = [*sieve_command(), "run", str(data), "--lake", str(lake), "--dataset", "bench", "--config", str(config),
           "--json", *extra]
    env = {**os.environ}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    stdout_path, stderr_path = lake.parent / f"{lake.name}.stdout", lake.parent / f"{lake.name}.stderr"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env)
        proc = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            peak = max(peak, tree_rss(proc))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
    stdout = stdout_path.read_text(errors="replace")
    stderr = stderr_path.read_text(errors="replace")
    summary: dict[str, Any] = {}
    for line in reversed(stdout.splitlines()):
        if line.strip():
            try:
                summary = json.loads(line)
            except ValueError:
                summary = {}
            break
    result = {"seconds": seconds, "peak_rss": peak, "returncode": child.returncode, "summary": summary,
              "command": cmd, "lake": str(lake) if keep_lake else None}
    if child.returncode != 0 or not summary:
        tail = (stderr.strip() or stdout.strip()).splitlines()[-5:]
        result["error"] = " | ".join(tail) or f"exit code {child.returncode}"
    for p in (stdout_path, stderr_path):
        p.unlink(missing_ok=True)
    if not keep_lake:
        shutil.rmtree(lake, ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------


def format_counts(counts: dict[str, Any]) -> str:
    """``clean=9500, duplicate=500`` from a counts mapping (sorted by name)."""
    return ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "-"


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown results table."""
    lines = ["| N | seconds | docs/s | runs (s) | in flow s | peak RSS MiB | counts |",
             "|---:|---:|---:|---|---:|---:|---|"]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['n']:,} | {r['seconds']:.1f} | - | - | - | {r['peak_rss'] / 2**20:,.0f} | "
                         f"FAILED: {r['error'][:200]} |")
            continue
        counts = r["summary"].get("counts", {})
        in_flow = r["summary"].get("seconds")
        flow_cell = f"{in_flow:.1f}" if in_flow is not None else "-"
        spread = r.get("all_seconds") or [round(r["seconds"], 2)]
        runs_cell = f"{spread[0]:.2f}" if len(spread) == 1 else f"{len(spread)}: {spread[0]:.2f}-{spread[-1]:.2f}"
        lines.append(f"| {r['n']:,} | {r['seconds']:.2f} | {r['n'] / r['seconds']:,.0f} | {runs_cell} | {flow_cell} | "
                     f"{r['peak_rss'] / 2**20:,.0f} | {format_counts(counts)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate the data, run each size, print the machine and the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000], help="corpus sizes (documents)")
    parser.add_argument("--doc-bytes", type=int, default=2000, help="mean document size in bytes")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out", help="data cache and outputs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="sieve.yaml for the runs")
    parser.add_argument("--as-configured", action="store_true",
                        help="use --config verbatim (do not switch off the stages it does not mention)")
    parser.add_argument("--generate-only", action="store_true", help="write the data files and stop")
    parser.add_argument("--keep-lake", action="store_true", help="keep each run's lake (path in the JSON output)")
    parser.add_argument("--sieve-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for `sieve run`, repeatable (e.g. --sieve-arg=--workers=2)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="timed runs per N; the table shows the median run (and the range of all)")
    parser.add_argument("--prefect-server", action="store_true",
                        help="run against a started `prefect server start` instead of the ephemeral API")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.n) or args.doc_bytes < 100 or args.repeat < 1:
        parser.error("--n and --repeat must be positive and --doc-bytes at least 100")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    datasets = []
    for n in args.n:
        path, meta = generate(out, n, args.doc_bytes, args.seed)
        how = "cached" if meta["cached"] else f"generated in {meta['generate_seconds']} s"
        print(f"data: {path} ({n:,} docs, {meta['duplicates']:,} exact duplicates, "
              f"{meta['bytes'] / 2**20:,.1f} MiB; {how})")
        datasets.append((n, path, meta))
    if args.generate_only:
        return 0

    info = machine()
    config, enabled = effective_config(args.config.resolve(), out, args.as_configured)
    print(f"\nmachine: {info['nproc']} cores ({info.get('usable_cores', '?')} usable), {info['cpu']}, "
          f"{info.get('memory_gib', '?')} GiB; Python {info['python']}; commit {info.get('commit') or '?'}")
    print(f"config: {config} (stages on: {', '.join(enabled) or 'none'})")
    print(f"command: {' '.join(sieve_command())} run <data> --lake <tmp> --dataset bench --config {config} --json "
          + " ".join(args.sieve_arg))
    rows = []
    server = PrefectServer() if args.prefect_server else contextlib.nullcontext(None)
    with server as api_url:
        if api_url:
            print(f"Prefect API: {api_url} (started by the benchmark; not counted in the runs' times)")
            # A scheduled deployment's server is long-running: its first flow run (cold database pages, the
            # services' first rounds just after start-up) is run once untimed, so the runs measure a server that
            # has served runs before.
            n, path, _ = min(datasets, key=lambda d: d[0])  # the smallest corpus
            warm = run_once(path, config, args.sieve_arg, False, api_url)
            print(f"  warm-up run against the new server (N={n:,}, not counted): {warm['seconds']:.1f} s")
        for n, path, meta in datasets:
            rows.append(measure(n, path, meta, config, args, api_url))
    print()
    print(table(rows))
    results = {"machine": info, "config": str(config), "stages_on": enabled, "doc_bytes": args.doc_bytes,
               "prefect": "server" if args.prefect_server else "ephemeral",
               "runs": [{k: v for k, v in r.items() if k != "command"} for r in rows]}
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nrun ids: {', '.join(str(r['summary'].get('run_id', '-')) for r in rows)}; "
          f"expected exact duplicates: {', '.join(str(r['expected_duplicates']) for r in rows)}; "
          f"details in {out / 'results.json'}")
    return 1 if any(r.get("error") for r in rows) else 0


def measure(n: int, path: Path, meta: dict[str, Any], config: Path, args: Any, api_url: str | None) -> dict:
    """``--repeat`` timed runs of N documents, each printed as it finishes; the run of median time, with every
    run's seconds in ``all_seconds`` (a failed run is returned at once)."""
    runs = []
    for i in range(args.repeat):
        result = run_once(path, config, args.sieve_arg, args.keep_lake, api_url)
        result.update(n=n, data=str(path), expected_duplicates=meta["duplicates"])
        status = "ok" if not result.get("error") else "FAILED"
        print(f"  N={n:,} run {i + 1}/{args.repeat}: {result['seconds']:.2f} s, {status}", flush=True)
        if result.get("error"):
            return result
        runs.append(result)
    runs.sort(key=lambda r: r["seconds"])
    median = runs[(len(runs) - 1) // 2]  # the lower middle one of an even count
    return {**median, "all_seconds": [round(r["seconds"], 2) for r in runs]}


if __name__ == "__main__":
    sys.exit(main())
