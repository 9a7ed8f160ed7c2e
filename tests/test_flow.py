"""End-to-end tests of the foundation through the real flow, the real lake and the real DuckDB catalog."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import SIEVE, cli, cli_env, plumbing_config, sql

pytestmark = pytest.mark.slow

WORDS = ("river stone garden window market teacher morning letter bridge winter summer kitchen travel "
         "museum forest engine harbor village coffee lantern pencil orchard meadow canyon ladder violin "
         "island desert compass thunder blanket journey festival library bakery tunnel station").split()


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def docs(n, prefix="d", seed=0):
    out = []
    for i in range(n):
        words = [WORDS[(i * 7 + j * (seed + 3)) % len(WORDS)] for j in range(30 + i % 11)]
        out.append({"id": f"{prefix}{i}", "text": f"{prefix} {i}: " + " ".join(words) + ".", "lang": "en"})
    return out


def test_rerun_gives_same_ids_and_marks_every_record_duplicate(tmp_path, run_sieve):
    src = write_jsonl(tmp_path / "a.jsonl", docs(40) + [{"id": "x", "text": "Same TEXT  here"},
                                                        {"id": "y", "text": "same text here"}])
    cfg = plumbing_config(tmp_path / "sieve.yaml")
    lake = tmp_path / "lake"
    first = run_sieve([src], lake, "web", config=cfg)
    assert first["counts"] == {"clean": 41, "quarantined": 0, "duplicate": 1, "dropped": 0}
    second = run_sieve([src], lake, "web", config=cfg)
    assert second["counts"]["duplicate"] == 42 and second["records"] == 42
    ids1 = {r[0] for r in sql(lake, "SELECT doc_id FROM documents WHERE run_id = ?", [first["run_id"]])}
    ids2 = {r[0] for r in sql(lake, "SELECT doc_id FROM documents WHERE run_id = ?", [second["run_id"]])}
    assert ids1 == ids2 and len(ids1) == 42
    # every duplicate of the second run points at a record kept by the first run
    orphans = sql(lake, """SELECT count(*) FROM duplicates d WHERE d.run_id = ? AND d.duplicate_of NOT IN
                           (SELECT doc_id FROM documents WHERE run_id = ? AND outcome <> 'duplicate')""",
                  [second["run_id"], first["run_id"]])
    assert orphans == [(0,)]
    # a different dataset in the same lake has its own history: nothing is a duplicate of "web"
    other = run_sieve([src], lake, "other", config=cfg)
    assert other["counts"]["duplicate"] == 1
    ids3 = {r[0] for r in sql(lake, "SELECT doc_id FROM documents WHERE run_id = ?", [other["run_id"]])}
    assert ids3 == ids1


def test_source_id_meta_and_clean_output(tmp_path, run_sieve):
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": 7, "text": "A short note about gardens.", "url": "u1"}])
    lake = tmp_path / "lake"
    res = run_sieve([src], lake, config=plumbing_config(tmp_path / "s.yaml"))
    row = sql(lake, "SELECT source_id, meta, text, source_record FROM clean WHERE run_id = ?", [res["run_id"]])
    assert row == [("7", json.dumps({"url": "u1"}), "A short note about gardens.", 0)]
    files = sql(lake, "SELECT role, uri, sha256, rows FROM files WHERE run_id = ? AND role = 'clean'", [res["run_id"]])
    assert len(files) == 1 and files[0][3] == 1
    assert files[0][2] == hashlib.sha256(open(files[0][1], "rb").read()).hexdigest()


def test_manifest_mismatch_quarantines_that_file(tmp_path, run_sieve):
    good = write_jsonl(tmp_path / "good.jsonl", docs(5, "g"))
    bad = write_jsonl(tmp_path / "bad.jsonl", docs(4, "b"))
    manifest = tmp_path / "SHA256SUMS"
    manifest.write_text(f"{hashlib.sha256(good.read_bytes()).hexdigest()}  good.jsonl\n{'0' * 64}  bad.jsonl\n")
    lake = tmp_path / "lake"
    res = run_sieve([good, bad], lake, config=plumbing_config(tmp_path / "s.yaml"), manifest=manifest)
    rows = dict(sql(lake, "SELECT source_uri, integrity FROM sources WHERE run_id = ?", [res["run_id"]]))
    assert rows == {str(good): "ok", str(bad): "mismatch"}
    out = sql(lake, """SELECT d.source_uri, d.outcome, list_sort(d.reasons) FROM documents d WHERE run_id = ?
                       GROUP BY ALL ORDER BY 1""", [res["run_id"]])
    assert out == [(str(bad), "quarantined", ["poison.integrity"]), (str(good), "clean", [])]
    expected = sql(lake, "SELECT DISTINCT expected_sha256 FROM sources WHERE source_uri = ?", [str(bad)])
    assert expected == [("0" * 64,)]


def test_instruct_records_keep_messages(tmp_path, run_sieve):
    src = write_jsonl(tmp_path / "i.jsonl", [
        {"instruction": "Name a river.", "input": "", "output": "The Danube."},
        {"prompt": "Say hi", "response": "Hi there"},
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
        {"question": "no known shape"},
    ])
    lake = tmp_path / "lake"
    res = run_sieve([src], lake, kind="instruct", config=plumbing_config(tmp_path / "s.yaml"))
    assert res["counts"] == {"clean": 3, "quarantined": 1, "duplicate": 0, "dropped": 0}
    rows = sql(lake, "SELECT text, messages FROM clean ORDER BY source_record")
    assert rows[0][0] == "Name a river.\n\nThe Danube."
    assert rows[0][1] == [{"role": "user", "content": "Name a river."}, {"role": "assistant", "content": "The Danube."}]


def test_cli_json_query_formats_read_only_and_other_cwd(tmp_path, prefect_harness):
    src = write_jsonl(tmp_path / "a.jsonl", docs(12) + [{"id": "bad"}])
    lake = tmp_path / "lake"
    out = cli("run", src, "--lake", lake, "--dataset", "web", "--json",
              "--config", plumbing_config(tmp_path / "s.yaml"))
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["counts"] == {"clean": 12, "quarantined": 1, "duplicate": 0, "dropped": 0}
    q = cli("query", "SELECT outcome, count(*) AS n FROM documents GROUP BY 1 ORDER BY 1", "--lake", lake,
            "--format", "json")
    assert q.returncode == 0 and json.loads(q.stdout) == [{"outcome": "clean", "n": 12},
                                                          {"outcome": "quarantined", "n": 1}]
    q = cli("query", "SELECT count(*) AS n FROM documents", "--lake", lake, "--format", "csv")
    assert q.stdout.splitlines() == ["n", "13"]
    w = cli("query", "CREATE TABLE x (a INT)", "--lake", lake)
    assert w.returncode == 2 and "read-only" in w.stderr and len(w.stderr.strip().splitlines()) == 1
    # the catalog opens from any working directory with any DuckDB client
    code = (f"import duckdb; c = duckdb.connect({str(lake / 'catalog.duckdb')!r}, read_only=True); "
            "print(c.execute('SELECT count(*) FROM documents').fetchone()[0])")
    other = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert other.stdout.strip() == "13", other.stderr


def test_missing_input_fails_before_starting(tmp_path, prefect_harness):
    out = cli("run", tmp_path / "nope.jsonl", "--lake", tmp_path / "lake")
    assert out.returncode == 2
    assert out.stderr.strip() == f"sieve: error: input not found: {tmp_path / 'nope.jsonl'}"
    assert not (tmp_path / "lake").exists()


def test_usage_error_is_clicks_message_and_exit_2(tmp_path):
    out = cli("run", tmp_path, "--no-such-option")
    assert out.returncode == 2, out.stderr
    assert "No such option: --no-such-option" in out.stderr and "Usage: sieve run" in out.stderr
    assert "run failed" not in out.stderr


def test_bad_config_is_one_line_with_key(tmp_path, prefect_harness):
    src = write_jsonl(tmp_path / "a.jsonl", docs(2))
    cfg = tmp_path / "s.yaml"
    cfg.write_text("policy: {default_action: explode}\n")
    out = cli("run", src, "--lake", tmp_path / "lake", "--config", cfg)
    assert out.returncode == 2
    assert "policy.default_action" in out.stderr and "'quarantine'" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_second_writer_of_a_dataset_fails_clearly(tmp_path, run_sieve):
    """While one process holds the dataset's lock, `sieve run` on that dataset fails at once and says why."""
    src = write_jsonl(tmp_path / "a.jsonl", docs(3))
    lake = tmp_path / "lake"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from tasks.lake import Lake, dataset_lock\n"
         f"with dataset_lock(Lake.at({str(lake)!r}), 'web', 'run test-holder'):\n"
         "    print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        out = cli("run", src, "--lake", lake, "--dataset", "web", "--config", plumbing_config(tmp_path / "s.yaml"))
        assert out.returncode != 0
        assert "is being written by pid" in out.stderr and "run test-holder" in out.stderr
        # another dataset in the same lake is not blocked (the same flow in this process: the CLI's refusal is
        # what the run above tests)
        ok = run_sieve([src], lake, "other", config=plumbing_config(tmp_path / "s.yaml"))
        assert ok["counts"]["clean"] == 3
    finally:
        holder.kill()
        holder.wait()
    assert duckdb.connect(str(lake / "catalog.duckdb"), read_only=True).execute(
        "SELECT count(*) FROM runs WHERE dataset = 'web'").fetchone() == (0,)


def test_without_a_prefect_api_the_cli_starts_and_stops_its_own_server(tmp_path):
    """The user's default path (`make run`): no PREFECT_API_URL, so `sieve run` boots Prefect's server itself.

    A fresh PREFECT_HOME keeps the test away from the user's database; the server must be gone afterwards.
    """
    import psutil

    src = write_jsonl(tmp_path / "a.jsonl", docs(30))
    env = {k: v for k, v in cli_env().items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    before = {p.pid for p in psutil.process_iter()}
    out = subprocess.run(
        [*SIEVE, "run", str(src), "--lake", str(tmp_path / "lake"), "--dataset", "web",
         "--config", str(plumbing_config(tmp_path / "sieve.yaml")), "--json"],
        capture_output=True, text=True, timeout=600, env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["counts"]["clean"] == 30
    assert sql(tmp_path / "lake", "SELECT count(*) FROM documents")[0][0] == 30
    # the flow run was recorded by the server this run started, in the fresh PREFECT_HOME's database
    assert (tmp_path / "prefect-home" / "prefect.db").exists()
    # only servers of this run: other Sieve runs on the machine (a benchmark, a parallel CI job) start their own
    leftovers = [p for p in psutil.process_iter(["pid", "cmdline"])
                 if p.info["pid"] not in before and "prefect.server.api.server:create_app" in
                 " ".join(p.info["cmdline"] or []) and _prefect_home(p) == env["PREFECT_HOME"]]
    assert not leftovers, "the CLI left its Prefect API server running"


def _prefect_home(proc) -> str | None:
    import psutil

    try:
        return proc.environ().get("PREFECT_HOME")
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def test_routed_outputs_keep_input_order_when_plain_and_flagged_records_mix(tmp_path, run_sieve):
    # records with no finding are routed column-wise and the rest one by one: the parts still follow input order
    records = docs(12)
    records[2] = {"id": "e", "text": "   "}  # input.empty -> dropped
    records[5] = dict(records[1], id="dup")  # exact duplicate of record 1
    records[9] = {"id": "n", "text": 42}  # non-string text -> input.malformed -> quarantined
    src = write_jsonl(tmp_path / "a.jsonl", records)
    lake = tmp_path / "lake"
    res = run_sieve([src], lake, "web", config=plumbing_config(tmp_path / "s.yaml"))
    assert res["counts"] == {"clean": 9, "quarantined": 1, "duplicate": 1, "dropped": 1}
    import pyarrow.parquet as pq

    run = f"run={res['run_id']}"
    clean = pq.read_table(next((lake / "clean" / "web" / run).glob("*.parquet"))).to_pylist()
    assert [r["source_record"] for r in clean] == [0, 1, 3, 4, 6, 7, 8, 10, 11]
    assert all(r["run_id"] == res["run_id"] and r["redactions"] == 0 for r in clean)
    documents = pq.read_table(next((lake / "provenance" / "documents" / run).glob("*.parquet"))).to_pylist()
    assert [r["source_record"] for r in documents] == list(range(12))
    outcome = {r["source_record"]: (r["outcome"], r["reasons"], r["output_uri"] is not None) for r in documents}
    assert outcome[0] == ("clean", [], True) and outcome[2] == ("dropped", ["input.empty"], False)
    assert outcome[5] == ("duplicate", ["dup.exact"], False)
    assert outcome[9] == ("quarantined", ["input.malformed"], True)
    index = pq.read_table(next((lake / "index" / "web" / "exact" / run).glob("*.parquet"))).to_pylist()
    assert [r["doc_id"] for r in index] == [r["doc_id"] for r in documents if r["outcome"] != "duplicate"]


def test_summary_try_line_runs_as_printed_for_a_lake_path_with_spaces(tmp_path, prefect_harness):
    src = write_jsonl(tmp_path / "a.jsonl", docs(3))
    lake = tmp_path / "my lake's copy"
    out = cli("run", src, "--lake", lake, "--dataset", "web", "--config", plumbing_config(tmp_path / "s.yaml"))
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.strip().startswith("try:"))
    argv = shlex.split(line.split("try:", 1)[1])
    assert argv[0] == "sieve" and argv[-2:] == ["--lake", str(lake)]
    q = cli(*argv[1:])
    assert q.returncode == 0 and "clean" in q.stdout, q.stderr


def test_ctrl_c_mid_run_says_interrupted_and_exits_130(tmp_path, prefect_harness):
    import signal
    import time

    src = write_jsonl(tmp_path / "a.jsonl", docs(20000))
    lake = tmp_path / "lake"
    cmd = [*SIEVE, "run", str(src), "--lake", str(lake), "--config", plumbing_config(tmp_path / "s.yaml"), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    deadline = time.monotonic() + 60
    while not (lake / "provenance" / "runs").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # until the flow has recorded the run: Ctrl+C lands mid-run, not during start-up
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("sieve: interrupted"), err
    assert "Traceback" not in err and "run failed" not in err


def test_a_failed_first_run_can_be_queried(tmp_path, run_sieve, monkeypatch):
    from tasks import corpus

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(corpus, "run_corpus_stages", broken)  # threads: the corpus task runs in this process
    src = write_jsonl(tmp_path / "a.jsonl", docs(5))
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_sieve([src], tmp_path / "lake", config=plumbing_config(tmp_path / "s.yaml"), task_runner="threads")
    assert sql(tmp_path / "lake", "SELECT status, error FROM runs") == [("failed", "RuntimeError: disk on fire")]


def test_an_empty_input_folder_is_a_warning_not_silence(tmp_path, prefect_harness):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden.jsonl").write_text('{"text": "skipped: hidden"}\n')
    out = cli("run", tmp_path / "empty", "--lake", tmp_path / "lake", "--config", plumbing_config(tmp_path / "s.yaml"),
              "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["records"] == 0
    assert out.stderr.startswith("sieve: warning: no records were read") and out.stderr.count("\n") == 1
