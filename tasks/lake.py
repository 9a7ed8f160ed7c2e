"""The lake's layout (contract paths of ../shared/DESIGN.md section 4), atomic file writes and the dataset lock.

Every file is written under a temp name in its final folder, then renamed: a reader (or a crash) never sees half a
file, and a rerun that writes the same deterministic name replaces it instead of adding a second copy.

Where a lake can live: a local path or a ``file://`` URL (``local_path``). A lake on object storage (``s3://``,
``gs://``, ``memory://``) is refused with the reason: the lake relies on POSIX semantics that object stores do not
give through fsspec (an atomic rename for every write, ``flock`` for the dataset lock, one DuckDB file that DuckDB
opens by path, folders the worker processes share). Put such a lake on a filesystem that gives them (a local disk,
NFS, or an object-store mount with rename support) and pass its path; inputs can be any fsspec URL.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import pyarrow as pa
import pyarrow.parquet as pq

TMP_SUFFIX = ".tmp"
CATALOG_LOCK = ".catalog.lock"  # in _locks/; hidden, so no dataset's ``<name>.lock`` can be the same file

# A dataset name is one folder name in clean/, quarantine/, index/ and _work/, and a lock file name in _locks/.
# ASCII only (Prefect artifact keys, URLs of the review app); never '.'/'..' or hidden (not a path out of those
# folders, no clash with the hidden catalog lock); no quote, slash or space (SQL, shell and path safe).
_DATASET_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DATASET_RULE = "1-128 characters from A-Z a-z 0-9 _ . - that do not start with '.' or '-'"


class LakeError(RuntimeError):
    """The lake cannot be used (unwritable, locked by another run, unreadable catalog)."""


class CatalogLocked(LakeError):
    """The catalog stayed locked past the wait: another process writes it, or (for a writer) holds it open to read."""


def valid_dataset(value: object) -> bool:
    """Whether ``value`` is a usable dataset name (``DATASET_RULE``): one path segment inside the lake."""
    return isinstance(value, str) and _DATASET_RE.fullmatch(value) is not None


def check_dataset(value: object) -> str:
    """``value`` if it is a valid dataset name, else ``LakeError`` stating the rule (guards every dataset path)."""
    if not valid_dataset(value):
        raise LakeError(f"invalid dataset name {value!r}: a dataset name is {DATASET_RULE}")
    return str(value)


def local_path(path: str | os.PathLike[str]) -> Path:
    """The absolute local path of a lake given as a path or a ``file://`` URL; other URLs raise ``LakeError``."""
    text = os.fspath(path)
    if text.startswith("file:"):
        parsed = urlparse(text)
        if parsed.netloc not in ("", "localhost"):
            raise LakeError(f"lake {text}: a file:// URL must name a local path (no host)")
        text = url2pathname(parsed.path)
    elif "://" in text:
        raise LakeError(
            f"lake {text}: a lake must be a local path or a file:// URL (it needs atomic renames, file locks and "
            "one DuckDB file); put it on a mounted filesystem and pass that path. Inputs may be any fsspec URL."
        )
    return Path(text).expanduser().resolve()


@dataclass(frozen=True)
class Lake:
    """Paths inside one lake folder. Construct with ``Lake.at(path)``; all paths are absolute."""

    root: Path

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> Lake:
        """The lake at ``path``, a local path or ``file://`` URL (created if missing)."""
        root = local_path(path)
        if root.exists() and not root.is_dir():  # mkdir would only say "File exists", which reads as no error
            raise LakeError(f"lake path {root} is a file, not a folder")
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise LakeError(f"cannot create lake folder {root}: {err.strerror}") from None
        if not os.access(root, os.W_OK):
            raise LakeError(f"lake folder {root} is not writable")
        return cls(root)

    @property
    def catalog(self) -> Path:
        """The DuckDB catalog file."""
        return self.root / "catalog.duckdb"

    def clean_dir(self, dataset: str, run_id: str) -> Path:
        """``clean/<dataset>/run=<run_id>``."""
        return self.root / "clean" / check_dataset(dataset) / f"run={run_id}"

    def quarantine_dir(self, dataset: str, run_id: str) -> Path:
        """``quarantine/<dataset>/run=<run_id>``."""
        return self.root / "quarantine" / check_dataset(dataset) / f"run={run_id}"

    def provenance_dir(self, table: str, run_id: str) -> Path:
        """``provenance/<table>/run=<run_id>``."""
        return self.root / "provenance" / table / f"run={run_id}"

    def index_dir(self, dataset: str, kind: str, run_id: str) -> Path:
        """Persisted dedup indexes of a dataset (kept keys, signatures), one folder per run."""
        return self.root / "index" / check_dataset(dataset) / kind / f"run={run_id}"

    def work_dir(self, dataset: str) -> Path:
        """Private work area of a dataset: staged shards (content-addressed) and per-run scratch."""
        return self.root / "_work" / check_dataset(dataset)

    def stage_dir(self, dataset: str, shard_key: str) -> Path:
        """Staged output of one shard; the folder name is the shard's cache key."""
        return self.work_dir(dataset) / "stage" / shard_key

    def run_work_dir(self, dataset: str, run_id: str) -> Path:
        """Scratch of one run (plan, corpus-stage outputs)."""
        return self.work_dir(dataset) / "runs" / run_id

    def sweep_temp(self, dataset: str, run_id: str) -> int:
        """Delete temp files a killed writer of ``dataset``/``run_id`` left behind; call with the dataset lock held."""
        roots = [
            self.clean_dir(dataset, run_id),
            self.quarantine_dir(dataset, run_id),
            self.work_dir(dataset),
            *(self.root / "provenance").glob(f"*/run={run_id}"),
            *(self.root / "index" / check_dataset(dataset)).glob(f"*/run={run_id}"),
        ]
        n = 0
        for root in roots:
            for tmp in root.rglob(f".*{TMP_SUFFIX}") if root.exists() else ():
                tmp.unlink(missing_ok=True)
                n += 1
        return n


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file, read in 8 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            h.update(chunk)
    return h.hexdigest()


def _tmp_name(path: Path) -> Path:
    # Hidden and not ending in .parquet: no glob a reader uses (``*.parquet``) can ever pick up half a file.
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")


def write_parquet_atomic(table: pa.Table, path: Path) -> dict[str, Any]:
    """Write ``table`` as zstd Parquet to ``path`` atomically; return ``{uri, sha256, rows}`` for ``files``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        sha = file_sha256(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"uri": str(path), "sha256": sha, "rows": table.num_rows}


def write_json_atomic(data: Any, path: Path) -> None:
    """Write JSON to ``path`` atomically (markers, plans)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    tmp.write_text(json.dumps(data, sort_keys=True, default=str))
    os.replace(tmp, path)


class AtomicParquetWriter:
    """Stream record batches into a Parquet file that appears under its final name only on ``close()``."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.path = path
        self.schema = schema
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = _tmp_name(path)
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        """Append rows (cast to the writer's schema)."""
        if table.num_rows:
            self._writer.write_table(table.select(self.schema.names).cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> dict[str, Any]:
        """Finish the file and rename it into place; return ``{uri, sha256, rows}``."""
        self._writer.close()
        sha = file_sha256(self._tmp)
        os.replace(self._tmp, self.path)
        return {"uri": str(self.path), "sha256": sha, "rows": self.rows}

    def abort(self) -> None:
        """Drop the temp file (on error)."""
        try:
            self._writer.close()
        finally:
            if self._tmp.exists():
                self._tmp.unlink()


@contextmanager
def dataset_lock(lake: Lake, dataset: str, run_hint: str = "") -> Iterator[None]:
    """Hold the exclusive write lock of ``dataset`` in ``lake``; fail at once with a clear message if taken.

    An OS file lock (``flock``) is released by the kernel when the holder dies, so a SIGKILLed run never leaves a
    stale lock behind.
    """
    lock_dir = lake.root / "_locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"{check_dataset(dataset)}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            raise LakeError(
                f"dataset {dataset!r} in lake {lake.root} is being written by {holder}; "
                "wait for that run to finish, then try again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} {run_hint}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


@contextmanager
def catalog_lock(lake: Lake, wait: float | None = None) -> Iterator[None]:
    """Serialise writers of ``catalog.duckdb`` (one writing process per DuckDB file).

    Waits for the holder: forever when ``wait`` is None, else up to ``wait`` seconds, then raises ``CatalogLocked``.
    """
    lock_dir = lake.root / "_locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_dir / CATALOG_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if wait is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as err:
                    if err.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        msg = f"the catalog of {lake.root} is being refreshed by another process"
                        raise CatalogLocked(msg) from None
                    time.sleep(0.1)
        yield
    finally:
        os.close(fd)
