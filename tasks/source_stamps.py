"""Whether a file is still the one the plan hashed: its size and modification time, taken before the hash.

The plan hashes every file (its sha256 makes the records' ids and the ``--manifest`` check); a worker reads it
later. A file rewritten in between gave records of bytes nobody hashed, under the old file's ids and integrity
verdict: the worker now compares the file with the stamp the plan took before it reads each slice, and reads no
slice of a file changed since (one malformed record each; the slices read before the change were the bytes hashed).
"""

from __future__ import annotations

from tasks.lake import LakeError, local_path


def source_stamp(uri: str) -> list[int] | None:
    """``[size, modification time in ns]`` of a local file (None for other URLs, or a file that cannot be
    stat'ed): taken before the plan hashes it and compared when a worker reads it (``changed_since``)."""
    if "://" in uri and not uri.startswith("file:"):
        return None
    try:
        st = local_path(uri).stat()
    except (OSError, LakeError):
        return None
    return [st.st_size, st.st_mtime_ns]


def changed_since(uri: str, stamp: list[int] | None) -> str | None:
    """Why the file at ``uri`` is not the one planned (its ``source_stamp`` differs), or None when it is."""
    if stamp is None:
        return None
    now = source_stamp(uri)
    if now == list(stamp):
        return None
    was = f"{stamp[0]} bytes"
    return (f"the file changed after it was hashed ({was}, now "
            f"{'gone' if now is None else f'{now[0]} bytes'}, or modified): its records were not read; rerun to "
            "read the new bytes")
