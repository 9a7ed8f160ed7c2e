"""Tables computed from a model's or a word list's files, kept on disk between processes (``~/.cache/sieve``).

Every worker process of every run built the toxicity stage's per-word score table from the fastText model again:
0.38-0.46 s of CPU each, measured, while the Prefect server boots and the other models load on the same cores.
The table depends only on the model's bytes and the code that computes it, so it is saved once, named by the
model's sha256 and a version of that code, and loaded in milliseconds afterwards. Word sets taken from a packaged
frequency list (the gibberish stage's, 0.5 s per worker from wordfreq's files) are kept the same way
(``load_words``, ``save_words``), named by what they depend on. A cache that cannot be read or
written (a read-only home, a full disk, a damaged file) is skipped: the caller computes the arrays as before. Callers
also check what they load (the toxicity scorer compares its scores with the model's own on probe texts), so a
cached table can never change a score silently.

The folder is ``$SIEVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/sieve``, else ``~/.cache/sieve``; deleting it is safe.
"""

from __future__ import annotations

import os
import tempfile
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
    try:
        with np.load(_path(kind, key), allow_pickle=False) as saved:
            return {name: saved[name] for name in saved.files}
    except (OSError, ValueError, KeyError, EOFError):  # missing, unreadable or damaged: compute them again
        return None


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
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True


def load_words(kind: str, key: str) -> list[str] | None:
    """The words saved with ``save_words`` under ``kind``/``key``, or None when there are none."""
    arrays = load_arrays(kind, key)
    if arrays is None or "words" not in arrays:
        return None
    try:
        text = arrays["words"].tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.split("\n") if text else []


def save_words(kind: str, key: str, words: list[str]) -> bool:
    """Save ``words`` (none holds a newline) under ``kind``/``key``, as one UTF-8 buffer; False when it could not."""
    blob = "\n".join(words).encode("utf-8")
    return save_arrays(kind, key, {"words": np.frombuffer(blob, dtype=np.uint8)})
