"""Input validation of ``sieve run`` and its config: bad values fail before any work, in one line, exit code 2.

Most checks run ``flows.cli._main`` in-process (argument parsing and validation happen before Prefect starts, and a
subprocess costs seconds); one real run covers what only a run reaches: a lake path holding a quote spliced into
every corpus step's DuckDB SQL, and a ``./``-prefixed manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading

import duckdb
import pytest

from schemas.config import ConfigError, build_config, load_config
from tasks.lake import Lake, LakeError, catalog_lock, check_dataset, dataset_lock, valid_dataset
from tasks.plan import ManifestError, _expected, read_manifest
from tests.conftest import plumbing_config, sql

BAD_DATASETS = ["", ".", "..", "../escape", "../../x", "a/b", "a'b", "caf\u00e9", ".hidden", "-x", "a b", "x" * 129,
                "x\n"]
GOOD_DATASETS = ["web", "t", "_private", "v1.2", "a-b_c.d", "catalog", "x" * 128]


def _sieve(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """Run ``sieve ARGS`` in-process; return the exit code and stderr."""
    from flows import cli

    monkeypatch.setattr("sys.argv", ["sieve", *args])
    code = cli._main()
    return code, capsys.readouterr().err


def _jsonl(path, n=3):
    path.write_text("".join(json.dumps({"text": f"record number {i} of {path.name}"}) + "\n" for i in range(n)))
    return path


# 1. dataset names: one rule, checked by the CLI and guarded by every lake path

@pytest.mark.parametrize("name", BAD_DATASETS)
def test_bad_dataset_names_rejected_everywhere(tmp_path, name):
    from tasks.review import queue

    lake = Lake.at(tmp_path / "lake")
    assert not valid_dataset(name) and queue.valid_dataset is valid_dataset  # review uses the same rule
    for path_of in (lambda: lake.clean_dir(name, "r"), lambda: lake.quarantine_dir(name, "r"),
                    lambda: lake.index_dir(name, "exact", "r"), lambda: lake.work_dir(name),
                    lambda: lake.sweep_temp(name, "r")):
        with pytest.raises(LakeError, match="invalid dataset name"):
            path_of()
    with pytest.raises(LakeError, match="invalid dataset name"):
        with dataset_lock(lake, name):
            pass
    assert sorted(p.name for p in lake.root.iterdir()) in ([], ["_locks"])


def test_a_lake_path_that_is_a_file_is_named_as_such(tmp_path):
    (tmp_path / "lake").write_text("not a folder")
    with pytest.raises(LakeError) as err:
        Lake.at(tmp_path / "lake")
    assert str(err.value) == f"lake path {tmp_path / 'lake'} is a file, not a folder"


@pytest.mark.parametrize("name", GOOD_DATASETS)
def test_good_dataset_names_accepted(name):
    assert valid_dataset(name) and check_dataset(name) == name


def test_dataset_named_catalog_does_not_share_the_catalog_lock(tmp_path):
    # the run holds its dataset lock while it refreshes the catalog: one lock file for both deadlocked the run
    lake = Lake.at(tmp_path / "lake")
    done = threading.Event()

    def refresh():
        with dataset_lock(lake, "catalog"), catalog_lock(lake):
            done.set()

    worker = threading.Thread(target=refresh, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert done.is_set()


@pytest.mark.parametrize("name", ["../escape", "", "..", "a/b", "a'b", "caf\u00e9"])
def test_cli_rejects_bad_dataset_before_anything_starts(tmp_path, monkeypatch, capsys, name):
    inp = _jsonl(tmp_path / "in.jsonl")
    code, err = _sieve(monkeypatch, capsys, "run", str(inp), "--lake", str(tmp_path / "lake"), "--dataset", name)
    assert code == 2
    assert err.count("\n") == 1 and "--dataset: invalid value" in err and "A-Z a-z 0-9 _ . -" in err
    assert not (tmp_path / "lake").exists() and not (tmp_path / "escape").exists()


def test_config_dataset_sections_use_the_same_rule():
    with pytest.raises(ConfigError, match=r"datasets: invalid dataset name '\.\./x'; a dataset name is"):
        build_config({"datasets": {"../x": {"shards": {"workers": 1}}}})
    assert build_config({"datasets": {"web": {"shards": {"workers": 1}}}}, "web").shards.workers == 1


# 2. values spliced into DuckDB SQL

@pytest.mark.parametrize("value", ["2GB", "512MiB", "1.5 GiB", "100mb", "1TB", "80%", "2G", "4096KB"])
def test_memory_limit_accepted_values_are_duckdb_sizes(value):
    assert build_config({"resources": {"memory_limit": value}}).resources.memory_limit == value
    duckdb.connect().execute(f"SET memory_limit='{value}'")  # DuckDB agrees


@pytest.mark.parametrize("value", ["lots", "0GB", "1000", "1e9", "150%", "1,5GB", "1GB'; SELECT 1; --", ""])
def test_memory_limit_rejected_by_the_config(value):
    with pytest.raises(ConfigError, match=r"resources\.memory_limit: invalid value .*expected a size such as 2GB"):
        build_config({"resources": {"memory_limit": value}})


def test_limit_connection_quotes_paths(tmp_path):
    from tasks.duck import limit_connection, sql_literal

    spill = tmp_path / "it's spill"
    con = limit_connection(duckdb.connect(), "256MB", 1, spill)
    assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == str(spill)
    assert con.execute(f"SELECT {sql_literal(spill)}").fetchone()[0] == str(spill)


# 4. one line, exit 2, for what used to be a raw exception

@pytest.mark.parametrize("workers", ["-1", "257"])
def test_cli_rejects_workers_out_of_range(tmp_path, monkeypatch, capsys, workers):
    inp = _jsonl(tmp_path / "in.jsonl")
    code, err = _sieve(monkeypatch, capsys, "run", str(inp), "--lake", str(tmp_path / "lake"), "--workers", workers)
    assert code == 2 and err == f"sieve: error: --workers: invalid value {workers}; valid values: 0 (config or cores)" \
                                 " to 256\n"


@pytest.mark.parametrize(("args", "message"), [
    # pydantic, through typer, named only the bound crossed ("Input should be greater than or equal to 1")
    (["review", "serve", "--tokens", "t", "--port", "0"], "'--port': 0 is out of range; valid values: 1 to 65535"),
    (["review", "serve", "--tokens", "t", "--port", "65536"],
     "'--port': 65536 is out of range; valid values: 1 to 65535"),
    (["review", "list", "--limit", "0"], "'--limit': 0 is out of range; valid values: 1 to 500"),
    (["review", "list", "--limit", "501"], "'--limit': 501 is out of range; valid values: 1 to 500"),
    (["review", "list", "--offset", "-1"], "'--offset': -1 is out of range; valid values: at least 0"),
    (["serve", "--limit", "0"], "'--limit': 0 is out of range; valid values: at least 1"),
    # not a number: pydantic's words, as they were
    (["review", "list", "--limit", "many"],
     "'--limit': Input should be a valid integer, unable to parse string as an integer"),
])
def test_ranged_options_name_the_whole_range(tmp_path, monkeypatch, capsys, args, message):
    code, err = _sieve(monkeypatch, capsys, *args, *(["--lake", str(tmp_path / "lake")] if args[0] == "review" else []))
    assert code == 2 and err.splitlines()[-1] == f"Error: Invalid value for {message}", err


@pytest.mark.parametrize(("args", "message"), [
    (["--lake", ""], "--lake: empty path"),
    (["--text-field", " "], "--text-field: empty name"),
])
def test_cli_rejects_empty_lake_and_text_field(tmp_path, monkeypatch, capsys, args, message):
    inp = _jsonl(tmp_path / "in.jsonl")
    monkeypatch.chdir(tmp_path)
    code, err = _sieve(monkeypatch, capsys, "run", str(inp), *(["--lake", "L"] if args[0] != "--lake" else []), *args)
    assert code == 2 and err.startswith(f"sieve: error: {message}") and err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # nothing written


def _bad_files(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes(b"input:\n  text_field: caf\xe9\n")
    (tmp_path / "broken.yaml").write_text("stages: [1, 2\npolicy: 3\n")
    (tmp_path / "latin1.sums").write_bytes(b"\xff\xfe" + b"0" * 64 + b"  x\n")
    return {
        "config-dir": (["--config", str(tmp_path)], "is a directory"),
        "config-empty": (["--config", ""], "config file name is empty"),
        "config-latin1": (["--config", str(tmp_path / "latin1.yaml")], r"is not UTF-8 text \(at byte offset 24\)"),
        "config-yaml": (["--config", str(tmp_path / "broken.yaml")], "is not valid YAML: .* at line 2, column"),
        "manifest-dir": (["--manifest", str(tmp_path)], "is a directory, not a sha256sum file"),
        "manifest-empty": (["--manifest", ""], "manifest file name is empty"),
        "manifest-binary": (["--manifest", str(tmp_path / "latin1.sums")], "latin1.sums:1: not a sha256sum line"),
    }


@pytest.mark.parametrize("case", ["config-dir", "config-empty", "config-latin1", "config-yaml", "manifest-dir",
                                  "manifest-empty", "manifest-binary"])
def test_cli_bad_config_or_manifest_is_one_line(tmp_path, monkeypatch, capsys, case):
    inp = _jsonl(tmp_path / "in.jsonl")
    args, message = _bad_files(tmp_path)[case]
    code, err = _sieve(monkeypatch, capsys, "run", str(inp), "--lake", str(tmp_path / "lake"), *args)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("sieve: error: ")
    assert re.search(message, err), err


@pytest.mark.parametrize(("url", "message"), [
    ("nosuch://x/y.jsonl", "input nosuch://x/y.jsonl: unknown protocol 'nosuch'"),
    ("simplecache::nosuch://x", "unknown protocol 'nosuch'"),
])
def test_cli_unknown_input_protocol(tmp_path, monkeypatch, capsys, url, message):
    code, err = _sieve(monkeypatch, capsys, "run", url, "--lake", str(tmp_path / "lake"))
    assert code == 2 and err.count("\n") == 1 and message in err


def test_config_errors_name_valid_keys_without_pydantic_prefix():
    cases = {
        "shards.colour: unknown key; valid keys: target_bytes, batch_records, workers": {"shards": {"colour": 1}},
        "policy.rules.0.colour: unknown key; valid keys: reason, action, min_score":
            {"policy": {"rules": [{"reason": "pii.*", "action": "drop", "colour": 1}]}},
        "stages.dedup_exact.colour: unknown key; valid keys: enabled": {"stages": {"dedup_exact": {"colour": 1}}},
        "stages.dedup_near: set both bands and rows, or neither": {"stages": {"dedup_near": {"bands": 4}}},
        "lineage.url: invalid value 'ftp://x'": {"lineage": {"url": "ftp://x"}},
    }
    for message, raw in cases.items():
        with pytest.raises(ConfigError) as info:
            build_config(raw)
        assert message in str(info.value) and "Value error" not in str(info.value), str(info.value)
    with pytest.raises(ConfigError, match="colour: unknown key; valid keys: input, shards, resources, policy"):
        build_config({"colour": 1})


def test_yaml_error_is_one_line(tmp_path):
    path = tmp_path / "sieve.yaml"
    path.write_text("shards:\n  workers: 1\n  bad: : x\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "\n" not in str(info.value) and "at line 3, column 8" in str(info.value)


# 3. manifest paths

def _sums(path, entries):
    path.write_text("".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in entries))
    return path


def test_manifest_dot_slash_entries_match_same_named_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub1").mkdir()
    (tmp_path / "sub2").mkdir()
    manifest = read_manifest(_sums(tmp_path / "M", [("./sub1/x.jsonl", b"one"), ("./sub2/x.jsonl", b"two")]))
    assert _expected(str(tmp_path / "sub1" / "x.jsonl"), manifest) == hashlib.sha256(b"one").hexdigest()
    assert _expected("sub2/x.jsonl", manifest) == hashlib.sha256(b"two").hexdigest()
    assert _expected("file://" + str(tmp_path / "sub2" / "x.jsonl"), manifest) == hashlib.sha256(b"two").hexdigest()
    assert _expected("sub3/x.jsonl", manifest) is None  # two lines go by that file name: ambiguous


def test_manifest_relative_to_its_folder_matches_from_another_cwd(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    # other/ holds files of the same names: the file name alone is ambiguous
    manifest = read_manifest(_sums(data / "SHA256SUMS", [("sub/a.jsonl", b"a"), ("./sub/b.jsonl", b"b"),
                                                         ("other/a.jsonl", b"x"), ("other/b.jsonl", b"y")]))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _expected(str(data / "sub" / "a.jsonl"), manifest) == hashlib.sha256(b"a").hexdigest()
    assert _expected("../data/sub/b.jsonl", manifest) == hashlib.sha256(b"b").hexdigest()
    # a line relative to the working directory is found first, as ``sha256sum -c`` reads it
    (elsewhere / "sub").mkdir()
    assert _expected("sub/a.jsonl", manifest) == hashlib.sha256(b"a").hexdigest()


def test_manifest_errors(tmp_path):
    with pytest.raises(ManifestError, match="is a directory"):
        read_manifest(tmp_path)
    with pytest.raises(ManifestError, match="file name is empty"):
        read_manifest("")
    odd = tmp_path / "odd"
    odd.write_bytes(hashlib.sha256(b"x").hexdigest().encode() + b"  caf\xe9.jsonl\n")  # a Latin-1 file name
    assert read_manifest(odd)["caf\udce9.jsonl"] == hashlib.sha256(b"x").hexdigest()


# end to end: what only a real run reaches

def test_run_with_quote_in_lake_path_and_dot_slash_manifest(tmp_path, monkeypatch, run_sieve):
    work = tmp_path / "in"
    for sub, n in (("sub1", 20), ("sub2", 25)):
        (work / sub).mkdir(parents=True)
        _jsonl(work / sub / "x.jsonl", n)
    (work / "sub2" / "x.jsonl").write_text((work / "sub2" / "x.jsonl").read_text().replace("record", "entry"))
    _sums(work / "M", [(f"./{s}/x.jsonl", (work / s / "x.jsonl").read_bytes()) for s in ("sub1", "sub2")])
    monkeypatch.chdir(work)
    cfg = plumbing_config(tmp_path / "sieve.yaml", resources={"memory_limit": "256MiB", "threads": 1})
    lake = tmp_path / "it's a lake"
    result = run_sieve(["sub1", "sub2"], lake, dataset="web", config=cfg, manifest=work / "M", task_runner="threads",
                       workers=1)
    assert result["counts"]["clean"] == 45 and result["counts"]["quarantined"] == 0
    assert sql(lake, "SELECT DISTINCT integrity FROM sources") == [("ok",)]
    assert sql(lake, "SELECT dataset, count(*) FROM clean GROUP BY 1") == [("web", 45)]


# 5. worker count for URL inputs; a --text-field no record has

def test_file_url_inputs_are_sized_like_local_paths(tmp_path):
    from tasks.plan import estimate_shards

    inp = _jsonl(tmp_path / "in.jsonl", 30)
    assert estimate_shards([inp.as_uri()], 4 << 20, enough=12) == estimate_shards([str(inp)], 4 << 20, enough=12) == 1
    assert estimate_shards(["memory://bucket/x.jsonl"], 4 << 20, enough=12) is None


def test_warm_up_starts_a_worker_per_estimated_shard_only(tmp_path, monkeypatch):
    from flows import cli

    calls = []
    monkeypatch.setattr("tasks.workers.warm_workers", lambda *args: calls.append(args))
    inp = _jsonl(tmp_path / "in.jsonl", 30)
    cfg = build_config({})
    assert cli._warm_up([inp.as_uri()], str(tmp_path / "lake"), cfg, 12) == 1 and calls[-1][-1] == 1
    # size unknown before the plan: no warm-up; the pool starts a worker per submitted shard
    assert cli._warm_up(["memory://bucket/x.jsonl"], str(tmp_path / "lake"), cfg, 12) == 0 and len(calls) == 1


def test_missing_text_field_is_detected(tmp_path, run_sieve):
    from flows.cli import _text_field_absent

    inp = _jsonl(tmp_path / "in.jsonl", 20)
    cfg = plumbing_config(tmp_path / "sieve.yaml")
    result = run_sieve([inp], tmp_path / "lake", config=cfg, text_field="body", task_runner="threads", workers=1)
    assert result["reasons"] == {"input.malformed": 20}
    assert _text_field_absent(str(tmp_path / "lake"), result)
    good = run_sieve([inp], tmp_path / "lake", dataset="u", config=cfg, task_runner="threads", workers=1)
    assert not _text_field_absent(str(tmp_path / "lake"), good)


def test_dataset_section_errors_name_the_section():
    cases = {
        "datasets.web.shards.colour: unknown key; valid keys: target_bytes": {"shards": {"colour": 1}},
        "datasets.web.stages.dedup_near: set both bands and rows, or neither": {"stages": {"dedup_near": {"bands": 3}}},
    }
    for message, section in cases.items():
        with pytest.raises(ConfigError) as info:
            build_config({"datasets": {"web": section}}, "web")
        assert message in str(info.value), str(info.value)
        assert str(info.value).count("invalid config") == 1


def test_cli_rejects_an_input_name_that_is_not_utf8(tmp_path, monkeypatch, capsys):
    """Such a name reached Prefect's JSON of the flow's parameters and failed the started run with
    'UnicodeEncodeError: ... surrogates not allowed'; now it is named in one line before anything starts."""
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.jsonl")
    with open(name, "wb") as f:
        f.write(b'{"text": "a note"}\n')
    code, err = _sieve(monkeypatch, capsys, "run", os.fsdecode(name), "--lake", str(tmp_path / "lake"))
    assert code == 2 and err.count("\n") == 1, err
    assert err == f"sieve: error: input {tmp_path}/caf\\xe9.jsonl: the name is not valid UTF-8 (its bytes shown as " \
                  "\\xNN); rename it\n"


def test_manifest_reads_sha256sums_escaped_names(tmp_path, monkeypatch):
    """sha256sum escapes a name holding a backslash or a newline (the line starts with a backslash): such a line
    was 'not a sha256sum line' and the run failed before it started. A name holding U+2028 split its line."""
    monkeypatch.chdir(tmp_path)
    names = {"back\\slash.jsonl": b"one", "new\nline.jsonl": b"two", "plain.jsonl": b"three",
             "sep\u2028ar.jsonl": b"four"}
    lines = []
    for name, data in names.items():  # the lines `sha256sum *` writes for these names (coreutils 8.32 and 9)
        digest = hashlib.sha256(data).hexdigest()
        if "\\" in name or "\n" in name:
            lines.append("\\" + digest + "  " + name.replace("\\", "\\\\").replace("\n", "\\n"))
        else:
            lines.append(digest + " *" + name)
    (tmp_path / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    manifest = read_manifest(tmp_path / "SHA256SUMS")
    for name, data in names.items():
        assert _expected(str(tmp_path / name), manifest) == hashlib.sha256(data).hexdigest(), name


def test_cli_rejects_an_input_folder_holding_the_lake(tmp_path, monkeypatch, capsys):
    """`sieve run data/ --lake data/lake` walked the lake as corpus: the run's own lock file became a clean record,
    and a second run read every output, provenance file, catalog and report of the first as input records."""
    corpus = tmp_path / "data"
    corpus.mkdir()
    _jsonl(corpus / "a.jsonl")
    monkeypatch.chdir(tmp_path)
    (corpus / "lake").mkdir()  # made by a first run: the pattern of the next one matches it
    for inputs, lake in (([str(corpus)], str(corpus / "lake")), (["data"], "data/lake"), (["data/*"], "data/lake"),
                         ([str(corpus)], str(corpus)), ([corpus.as_uri()], str(corpus / "deep" / "lake"))):
        # a missing config fails the next check: a miss here cannot start a run
        code, err = _sieve(monkeypatch, capsys, "run", *inputs, "--lake", lake, "--config", "missing.yaml")
        assert code == 2 and err.count("\n") == 1, (inputs, lake, err)
        assert " holds the lake " in err and "pass the corpus folders, or a --lake outside them" in err, err
    # a lake beside the corpus, or in a hidden folder the walk skips, is fine: the run goes on to the next check
    for lake in (str(tmp_path / "lake"), str(corpus / ".sieve" / "lake")):
        code, err = _sieve(monkeypatch, capsys, "run", str(corpus), "--lake", lake, "--config", "missing.yaml")
        assert code == 2 and "holds the lake" not in err and "missing.yaml" in err, err
