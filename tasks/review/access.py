"""Short-lived catalog connections for the review tools: read-only for reads, lock + write for appends.

DuckDB allows one writing process per file, and ``sieve run`` refreshes the catalog at the end of every run under
``tasks.lake.catalog_lock``. So a review server never keeps a connection open: each request opens one and closes it.

* Reads open the catalog read-only and retry for a few seconds while another process writes it (a run's refresh
  takes well under a second); past that they raise ``CatalogBusy`` and the app answers 503 with ``Retry-After``.
* Writes take the catalog lock (the same lock file as ``catalog_lock``, but with a timeout so a request never hangs),
  then open a read-write connection, with the same retry for readers in other processes.
* Within one process DuckDB refuses a read-write connection while a read-only one to the same file is open (and the
  reverse): an in-process readers/writer lock keeps the server's own threads from colliding.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb

from tasks.lake import CatalogLocked, Lake, LakeError, catalog_lock

READ_WAIT_SECONDS = 5.0
WRITE_WAIT_SECONDS = 10.0
_POLL = 0.1


class CatalogBusy(LakeError):
    """The catalog stayed locked by another process past the wait budget; retry in a moment (transient)."""


class _ReadersWriter:
    """Many readers or one writer among this process's threads."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writer)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writer and self._readers == 0)
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


    @contextmanager
    def write_if_free(self) -> Iterator[bool]:
        """The writer's place if no thread holds the lock now (True), else nothing (False); never waits."""
        with self._cond:
            free = not self._writer and self._readers == 0
            self._writer = self._writer or free
        try:
            yield free
        finally:
            if free:
                with self._cond:
                    self._writer = False
                    self._cond.notify_all()


_LOCAL = _ReadersWriter()


def _open(lake: Lake, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    from tasks.catalog import open_catalog

    if not lake.catalog.exists():
        raise LakeError(f"no catalog at {lake.catalog}: run `sieve run ... --lake {lake.root}` first")
    try:
        return open_catalog(lake.catalog, read_only=read_only, attempts=max(int(wait / _POLL), 1))
    except CatalogLocked:
        raise CatalogBusy(
            f"the catalog {lake.catalog} is busy (a run is refreshing it, or another program holds it "
            "open for writing); try again in a moment"
        ) from None


_REBUILDING = threading.Lock()


def ensure_catalog(lake: Lake) -> None:
    """Rebuild a lost catalog from the lake's Parquet, reviews restored from their journal, as ``sieve query`` does
    (``tasks.catalog.rebuild_lost_catalog``, which says so on stderr); a folder with no run fails saying so.

    The catalog holds nothing the lake does not (views over its Parquet, and the ``reviews`` table, whose every row
    is also in ``provenance/reviews``), so a deleted file, or a first run killed before it wrote the catalog, is no
    reason to send a reviewer to ``sieve run``.
    """
    if lake.catalog.exists():
        return
    from tasks.catalog import rebuild_lost_catalog

    with _REBUILDING:  # the app's threads: one rebuilds, the others then find the file
        if not lake.catalog.exists():
            rebuild_lost_catalog(lake)


# Lakes whose catalog this process found current (built for this folder by this version): checked once, not on
# every request of the review app.
_CURRENT: set[Path] = set()


def _refresh_if_stale(lake: Lake) -> None:
    # Before reading, the catalog is made current as for ``sieve query`` (tasks.catalog.ensure_fresh): a run that
    # could not refresh it (a reader held it) left a marker, so a table's first files (a first quarantine, say)
    # would not show in the review queue; one built by another version of Sieve may lack a column the queue reads.
    # A lost catalog was rebuilt, with its reviews, by ensure_catalog before this.
    from tasks.catalog import STALE_MARKER, ensure_fresh

    stale = (lake.root / STALE_MARKER).exists()
    if not lake.catalog.exists() or (not stale and lake.root in _CURRENT):
        return
    # DuckDB refuses a writer while this process has the file open read-only; a thread of this process using the
    # catalog now (maybe the caller itself) means: not now, never a wait that could deadlock
    with _LOCAL.write_if_free() as free:
        if not free:
            return
        try:
            ensure_fresh(lake, wait=READ_WAIT_SECONDS)  # busy: says so and reads it as it is; the marker stays
            _CURRENT.add(lake.root)
        except LakeError:
            pass  # the next command tries again


@contextmanager
def reading(lake: Lake, wait: float = READ_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the catalog, closed on exit; a catalog a run left stale is refreshed first, a lost
    one rebuilt."""
    ensure_catalog(lake)
    _refresh_if_stale(lake)
    with _LOCAL.read():
        con = _open(lake, read_only=True, wait=wait)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def _timed_catalog_lock(lake: Lake, wait: float) -> Iterator[None]:
    # The runs' catalog lock (so runs and reviewers exclude each other), but never waited for forever.
    with ExitStack() as stack:
        try:
            stack.enter_context(catalog_lock(lake, wait=wait))
        except CatalogLocked:
            msg = f"the catalog of {lake.root} is locked by a run refreshing it; try again in a moment"
            raise CatalogBusy(msg) from None
        yield


@contextmanager
def writing(lake: Lake, wait: float = WRITE_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection under the catalog lock, closed (and the lock released) on exit."""
    ensure_catalog(lake)
    _refresh_if_stale(lake)
    with _LOCAL.write(), _timed_catalog_lock(lake, wait):
        con = _open(lake, read_only=False, wait=wait)
        try:
            yield con
        finally:
            con.close()
