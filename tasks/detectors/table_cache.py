"""Tables computed from a model's or a word list's files, kept on disk between processes (``~/.cache/sieve``).

Every worker process of every run built the toxicity stage's per-word score table from the fastText model again:
0.32-0.46 s of CPU each, measured, while the Prefect server boots and the other models load on the same cores.
The table depends only on the model's bytes and the code that computes it, so it is saved once, named by the
model's sha256 and the code that computes it, and loaded in milliseconds afterwards. Word sets taken from packaged
lists (the gibberish stage's, the PII stage's census names) are kept the same way (``cached_word_sets``), named by
the files they depend on (``files_key``). A cache that cannot be read or
written (a read-only home, a full disk, a damaged file) is skipped: the caller computes the arrays as before. Callers
also check what they load (the toxicity scorer compares its scores with the model's own on probe texts), so a
cached table can never change a score silently.

The folder is ``$SIEVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/sieve``, else ``~/.cache/sieve``; deleting it is safe.
An entry unused for ``UNUSED_DAYS`` is removed when another of its kind is saved.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np


def cache_dir() -> Path:
    """The folder of Sieve's cached arrays (it may not exist yet)."""
    if explicit := os.environ.get("SIEVE_CACHE_DIR"):
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "sieve"


def _path(kind: str, key: str) -> Path:
    return cache_dir() / kind / f"{key}.npz"


def load_arrays(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays saved under ``kind``/``key``, or None when there are none or they cannot be read."""
    path = _path(kind, key)
    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - unreadable or damaged (a truncated .npz raises zipfile.BadZipFile): rebuilt
        discard_arrays(kind, key)
        return None
    try:
        os.utime(path)  # in use: kept by ``_prune``
    except OSError:
        pass
    return arrays


def discard_arrays(kind: str, key: str) -> None:
    """Remove what is saved under ``kind``/``key`` (a damaged or wrong entry; the next save writes it anew)."""
    try:
        _path(kind, key).unlink(missing_ok=True)
    except OSError:
        pass


def save_arrays(kind: str, key: str, arrays: dict[str, np.ndarray]) -> bool:
    """Save ``arrays`` under ``kind``/``key`` (written to a temporary name, then renamed); False when it could not.

    Two workers saving the same key at once each rename a complete file over the other's: both are the same.
    """
    target = _path(kind, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{key}-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
                fh.flush()
                os.fsync(fh.fileno())  # a crash after the rename must not leave a truncated file under the key
            # mkstemp makes it 0600: a cache folder shared by users (SIEVE_CACHE_DIR) could not be read by the others
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    _prune(target.parent)
    return True


#: An entry not loaded or saved for this long is removed when another of its kind is saved: every change of a
#: key's files (a new model, an edited module, a wordfreq upgrade) leaves the old entry behind (0.8 MB for the
#: PII name lists), and nothing else would ever remove it.
UNUSED_DAYS = 30


def _prune(folder: Path) -> None:
    cutoff = time.time() - UNUSED_DAYS * 86400
    try:
        for old in folder.glob("*.npz"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
    except OSError:  # another process pruned it first, or the folder is not ours to clean
        pass


#: Files up to this size are part of a key by their bytes; bigger ones (packaged data) by their size and time.
_HASHED_BYTES = 1 << 20


def files_key(paths: Iterable[Path], extra: str = "") -> str | None:
    """A key for what is computed from ``paths`` (and ``extra``): None when one of them cannot be read."""
    h = hashlib.sha256(extra.encode("utf-8"))
    try:
        for path in paths:
            if not path.exists():
                h.update(f"\0{path.name}\0missing".encode())
                continue
            st = path.stat()
            h.update(f"\0{path.name}\0{st.st_size}".encode())
            h.update(path.read_bytes() if st.st_size <= _HASHED_BYTES else str(st.st_mtime_ns).encode())
    except OSError:
        return None
    return h.hexdigest()[:32]


def cached_word_sets(kind: str, key: str | None, build: Callable[[], tuple[frozenset[str], ...]],
                     ) -> tuple[frozenset[str], ...]:
    """The word sets ``build()`` returns, from the cache under ``kind``/``key`` when they are there (and saved
    there when they were built, all in one entry: each set one UTF-8 buffer of its words, newline-parted);
    ``key`` None builds them without the cache."""
    saved = load_arrays(kind, key) if key is not None else None
    if saved is not None:
        try:
            texts = [saved[f"set{i}"].tobytes().decode("utf-8") for i in range(len(saved))]
        except (KeyError, UnicodeDecodeError):  # not an entry of this layout: built again below
            texts = None
        if texts is not None:
            return tuple(frozenset(t.split("\n") if t else ()) for t in texts)
    built = build()
    if key is not None and not any("\n" in w for words in built for w in words):
        save_arrays(kind, key, {f"set{i}": np.frombuffer("\n".join(sorted(words)).encode("utf-8"), dtype=np.uint8)
                                for i, words in enumerate(built)})
    return built


def wordfreq_files(languages: Iterable[str] = ("en",)) -> list[Path]:
    """wordfreq's frequency lists of ``languages`` (large or small, whichever it has) and its own code: what word
    sets built from wordfreq depend on, for ``files_key`` (a list that is not there is named all the same: its
    absence is part of the key)."""
    import importlib.util

    spec = importlib.util.find_spec("wordfreq")
    package = Path(spec.origin if spec and spec.origin else ".")
    data = package.parent / "data"
    lists = []
    for lang in languages:
        large = data / f"large_{lang}.msgpack.gz"
        lists.append(large if large.exists() else data / f"small_{lang}.msgpack.gz")
    return [package, *lists]
