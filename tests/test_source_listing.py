"""Inputs that cannot be listed or read as files are recorded as unreadable sources, never skipped in silence."""

import os
import stat

import fsspec
import pytest

from tasks.plan import plan_sources
from tasks.readers import read_slice
from tasks.sources import SourceSlice, discover
from tests.conftest import cli, plumbing_config, sql


def _write(path, data=b'{"text": "a plain note"}\n'):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def locked_dir(tmp_path, monkeypatch):
    """A corpus whose folder ``locked`` cannot be listed. Root reads anything, so listing it is made to fail."""
    root = tmp_path / "corpus"
    for rel in ("a.jsonl", "locked/b.jsonl", "z.jsonl"):
        _write(root / rel)
    locked = str(root / "locked")
    real = os.scandir

    def scandir(path="."):
        if not isinstance(path, int) and os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return root


def test_unlistable_folder_is_an_unreadable_source(locked_dir):
    found = discover([str(locked_dir)])
    assert [(os.path.relpath(s.uri, locked_dir), s.error) for s in found] == [
        ("a.jsonl", None),
        ("locked", "cannot list directory: Permission denied"),
        ("z.jsonl", None),
    ]
    entries, slices = plan_sources([str(locked_dir)], 1 << 20, None)
    assert [(e.integrity, e.error) for e in entries] == [
        ("unverified", None),
        ("unreadable", "cannot list directory: Permission denied"),
        ("unverified", None),
    ]
    bad = slices[1]
    assert bad["error"] == "cannot list directory: Permission denied" and "error" not in slices[0]
    sl = SourceSlice(bad["uri"], bad["format"], bad["compression"], error=bad["error"])
    [rec] = read_slice(sl)
    assert (rec.index, rec.fields, rec.raw) == (0, None, b"")
    assert rec.error == "not read: cannot list directory: Permission denied"


@pytest.mark.slow
def test_unlistable_folder_in_a_run(locked_dir, tmp_path, run_sieve):
    lake = tmp_path / "lake"
    res = run_sieve([locked_dir], lake, config=plumbing_config(tmp_path / "c.yaml"), task_runner="threads",
                    workers=1)
    rows = sql(lake, "SELECT source_uri, integrity, error, records FROM sources WHERE run_id = ? ORDER BY 1",
               [res["run_id"]])
    assert [(os.path.basename(r[0]), r[1], r[2], r[3]) for r in rows] == [
        ("a.jsonl", "unverified", None, 1),
        ("locked", "unreadable", "cannot list directory: Permission denied", 1),
        ("z.jsonl", "unverified", None, 1),
    ]
    outcomes = sql(lake, "SELECT outcome, reasons FROM documents WHERE run_id = ? AND source_uri LIKE '%locked'",
                   [res["run_id"]])
    assert outcomes == [("quarantined", ["input.malformed"])]


@pytest.fixture
def specials(tmp_path):
    """A folder holding a named pipe and a broken link next to a real file, and a pipe of its own."""
    root = tmp_path / "corpus"
    _write(root / "a.jsonl")
    os.mkfifo(root / "pipe.jsonl")
    os.symlink(root / "gone.jsonl", root / "link.jsonl")
    os.mkfifo(tmp_path / "listed.jsonl")
    return root, tmp_path / "listed.jsonl"


def test_pipes_devices_and_broken_links_are_unreadable_and_never_opened(specials, monkeypatch):
    root, listed = specials
    inputs = [str(listed), str(root)] + (["/dev/zero"] if os.path.exists("/dev/zero") else [])
    found = {os.path.basename(s.uri): s.error for s in discover(inputs)}
    assert found == {
        "listed.jsonl": "not a regular file: a named pipe (FIFO)",
        "a.jsonl": None,
        "link.jsonl": "cannot stat: No such file or directory",
        "pipe.jsonl": "not a regular file: a named pipe (FIFO)",
        **({"zero": "not a regular file: a device"} if len(inputs) == 3 else {}),
    }
    url = discover([f"file://{listed}"])
    assert [s.error for s in url] == ["not a regular file (type other)"]

    real_open = fsspec.open

    def guarded_open(path, *args, **kwargs):  # opening a pipe blocks until a writer comes: the test would hang
        assert os.path.isfile(path) and not stat.S_ISFIFO(os.stat(path).st_mode), f"opened {path}"
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("fsspec.open", guarded_open)
    entries, slices = plan_sources(inputs, 1 << 20, None)
    assert [e.integrity for e in entries if e.error] == ["unreadable"] * (len(found) - 1)
    for sl in slices:
        if sl.get("error"):
            [rec] = read_slice(SourceSlice(sl["uri"], sl["format"], sl["compression"], error=sl["error"]))
            assert rec.fields is None and rec.error.startswith("not read: ")


@pytest.mark.slow
def test_named_pipe_input_does_not_hang_a_run(specials, tmp_path):
    _, listed = specials
    lake = tmp_path / "lake"
    # Before, the worker blocked opening the pipe for ever: the timeout turns a regression into a failure.
    done = cli("run", listed, "--lake", lake, "--dataset", "t", "--config", plumbing_config(tmp_path / "c.yaml"),
               "--json", timeout=180)
    assert done.returncode == 0, done.stderr
    rows = sql(lake, "SELECT integrity, error, records FROM sources")
    assert rows == [("unreadable", "not a regular file: a named pipe (FIFO)", 1)]


@pytest.mark.parametrize(("name", "error"), [
    ("a.jsonl.gz", "empty file: 0 bytes, not a gzip stream; no records read"),
    ("a.jsonl.zst", "empty file: 0 bytes, not a zstd stream; no records read"),
    ("a.jsonl", None),  # an empty plain file is an empty file
])
def test_zero_byte_compressed_file_is_noted(tmp_path, name, error):
    path = _write(tmp_path / name, b"")
    entries, slices = plan_sources([str(path)], 1 << 20, None)
    assert [(e.integrity, e.error) for e in entries] == [("unverified", error)]
    assert [r for s in slices for r in read_slice(SourceSlice(s["uri"], s["format"], s["compression"]))] == []


def test_linked_folders_are_followed_once_and_loops_end(tmp_path):
    elsewhere = _write(tmp_path / "elsewhere" / "shared.jsonl").parent
    root = tmp_path / "corpus"
    _write(root / "own.jsonl")
    os.symlink(elsewhere, root / "linked")  # a corpus folder linked in from another disk
    os.symlink(elsewhere, root / "again")  # a second link to the same folder: read once
    os.symlink(root, root / "sub_loop")  # a link back up the tree: must not walk for ever
    found = [os.path.relpath(s.uri, root) for s in discover([str(root)])]
    assert found == ["again/shared.jsonl", "own.jsonl"]


def test_one_file_named_twice_is_read_once(tmp_path):
    data = _write(tmp_path / "corpus" / "a.jsonl")
    os.symlink(data, tmp_path / "alias.jsonl")
    inputs = [str(data), data.as_uri(), str(tmp_path / "alias.jsonl"), str(tmp_path / "corpus")]
    assert [s.uri for s in discover(inputs)] == [str(data)]  # the first spelling is the one kept


@pytest.fixture
def undecodable_name(tmp_path):
    """A corpus folder holding a file whose name is not valid UTF-8 (Latin-1 bytes), next to a plain one."""
    root = tmp_path / "corpus"
    _write(root / "a.jsonl")
    bad = os.path.join(os.fsencode(root), b"caf\xe9 \xff.jsonl")
    with open(bad, "wb") as f:
        f.write(b'{"text": "a note in a badly named file"}\n')
    return root


def test_file_name_not_utf8_is_an_unreadable_source(undecodable_name, tmp_path):
    """Its surrogate-escaped name failed the first shard's Parquet write (UnicodeEncodeError), so the whole run."""
    root = undecodable_name
    why = "file name is not valid UTF-8 (its bytes shown as \\xNN): rename the file to read it"
    for inputs in ([str(root)], [root.as_uri()]):
        found = discover(inputs)
        assert [(s.uri.rsplit("/", 1)[1], s.error) for s in found] == [("a.jsonl", None),
                                                                        ("caf\\xe9 \\xff.jsonl", why)]
        assert all(s.uri.encode("utf-8") for s in found)  # a name Arrow can store
    entries, slices = plan_sources([str(root)], 1 << 20, None)
    assert [e.integrity for e in entries] == ["unverified", "unreadable"]
    bad = slices[1]
    [rec] = read_slice(SourceSlice(bad["uri"], bad["format"], bad["compression"], error=bad["error"]))
    assert (rec.fields, rec.error) == (None, f"not read: {why}")


def test_an_undecodable_name_and_the_file_named_as_its_escape_are_two_sources(undecodable_name):
    # The escaped name was made before the walk's duplicate check: a file literally named 'caf\xe9 \xff.jsonl'
    # next to the undecodable one counted as the same file, and one of them got no sources row and no record.
    (undecodable_name / "caf\\xe9 \\xff.jsonl").write_text('{"text": "a file named as the escape"}\n')
    found = discover([str(undecodable_name)])
    assert sorted((s.uri.rsplit("/", 1)[1], s.error is None) for s in found) == [
        ("a.jsonl", True), ("caf\\xe9 \\xff.jsonl", False), ("caf\\xe9 \\xff.jsonl", True)]


@pytest.mark.slow
def test_file_name_not_utf8_in_a_run(undecodable_name, tmp_path, run_sieve):
    lake = tmp_path / "lake"
    res = run_sieve([undecodable_name], lake, config=plumbing_config(tmp_path / "c.yaml"), task_runner="threads",
                    workers=1)
    rows = sql(lake, "SELECT regexp_extract(source_uri, '[^/]+$'), outcome, reasons FROM documents "
                     "WHERE run_id = ? ORDER BY 1", [res["run_id"]])
    assert rows == [("a.jsonl", "clean", []), ("caf\\xe9 \\xff.jsonl", "quarantined", ["input.malformed"])]
