"""Planning a run: list the sources, hash each (the integrity manifest), split them into shards.

A shard is a list of source slices of roughly ``shards.target_bytes``. Its cache key is a hash of its slices'
content hashes and URIs, the config hash and every stage's ``name@version``: a rerun with the same data and config finds
the shard already staged and skips it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tasks.source_stamps import source_stamp
from tasks.sources import (
    SourceReadError,
    detect_format,
    discover,
    hash_and_split,
    local_sizes,
)

# Compressed sizes underestimate the work in a file; this rough ratio keeps shards of gz/zst input comparable.
_COMPRESSION_RATIO = {"none": 1, "gzip": 4, "zstd": 4}


class ManifestError(ValueError):
    """The ``--manifest`` file is missing or not in ``sha256sum`` format."""


@dataclass
class SourceEntry:
    """One input file of the run, as it goes into the ``sources`` table."""

    uri: str
    format: str
    compression: str
    size_bytes: int
    sha256: str | None
    expected_sha256: str | None
    integrity: str  # ok | mismatch | unlisted | unverified | unreadable
    occurrence: int = 0  # k > 0 for the k-th repeat of identical bytes in this run (keeps doc_ids unique)
    error: str | None = None


@dataclass
class ShardSpec:
    """One unit of parallel work: a few source slices. Small enough to pass between processes as a dict."""

    index: int
    key: str
    slices: list[dict[str, Any]] = field(default_factory=list)
    est_bytes: int = 0


def read_manifest(path: str | os.PathLike[str]) -> dict[str, str]:
    """Parse a ``sha256sum`` file into ``{path: sha256}`` (both ``hash  path`` and ``hash *path`` forms).

    Paths are normalised (``./sub/x.jsonl`` is ``sub/x.jsonl``, what ``find . -exec sha256sum {} +`` writes). A
    relative path is also kept as an absolute key, resolved against the manifest's own folder, so a manifest
    written next to its files matches from any working directory. How a source finds its line is ``_expected``'s
    order: its URI as listed, its path relative to the working directory (as ``sha256sum -c`` reads it), its
    absolute path (listed so, or relative to the manifest's folder), then its file name when one digest goes by it.
    File names are read as the OS gives them (bytes that are not UTF-8 round-trip, as in ``os.fsdecode``).
    """
    p = Path(path)
    if not str(path).strip():
        raise ManifestError("manifest file name is empty")
    if not p.exists():
        raise ManifestError(f"manifest not found: {p}")
    try:
        text = p.read_bytes().decode("utf-8", errors="surrogateescape")
    except IsADirectoryError:
        raise ManifestError(f"manifest {p} is a directory, not a sha256sum file") from None
    except OSError as err:
        raise ManifestError(f"manifest {p} cannot be read: {err.strerror}") from None
    listed: dict[str, str] = {}
    # Not splitlines(): it also splits at characters a file name may hold (\x85, \u2028, \x1c)
    for n, line in enumerate(re.split(r"\r\n|\n|\r", text), 1):
        entry = _sum_line(line)
        if entry is None:
            continue
        if not entry:
            raise ManifestError(f"{p}:{n}: not a sha256sum line (expected '<64 hex>  <path>')")
        listed[os.path.normpath(entry[0])] = entry[1]
    folder = p.resolve().parent
    out = dict(listed)
    for key, digest in listed.items():
        if not os.path.isabs(key):  # listed keys win over one derived from another line
            out.setdefault(os.path.normpath(folder / key), digest)
    return out


# A line sha256sum writes for a name holding a backslash or a newline: a backslash, the digest, a space, ' ' (text
# mode) or '*' (binary mode), then the name with those characters escaped.
_ESCAPED_SUM_LINE = re.compile(r"\\([0-9a-fA-F]{64}) [ *](.+)", re.DOTALL)
_SUM_ESCAPES = {"\\": "\\", "n": "\n", "r": "\r"}


def _sum_line(line: str) -> tuple[str, str] | tuple[()] | None:
    """``(path, digest)`` of a manifest line; None for a blank or comment line, ``()`` when it is not a sum line.

    A name holding a backslash or a newline is escaped by sha256sum (the line starts with a backslash, the name
    holds ``\\\\`` and ``\\n``): such a line was refused as 'not a sha256sum line', failing the run. Other lines
    are read leniently: the digest, blanks, an optional ``*``, the path without its surrounding blanks.
    """
    if escaped := _ESCAPED_SUM_LINE.fullmatch(line):
        digest, name = escaped.groups()
        name = re.sub(r"\\(.)", lambda m: _SUM_ESCAPES.get(m.group(1), m.group(0)), name, flags=re.DOTALL)
        return name, digest.lower()
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    parts = line.split(maxsplit=1)
    digest = parts[0].lower()
    if len(parts) != 2 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return ()
    return parts[1].lstrip("*").strip(), digest


def _expected(uri: str, manifest: dict[str, str]) -> str | None:
    """Find ``uri`` in the manifest (``read_manifest``'s keys) in the order ``read_manifest`` documents."""
    if uri in manifest:
        return manifest[uri]
    local = uri.removeprefix("file://")
    try:
        rel = os.path.normpath(os.path.relpath(local))
    except ValueError:
        rel = local
    for key in (rel, os.path.abspath(local)):
        if key in manifest:
            return manifest[key]
    base = os.path.basename(local)
    # each relative line is there twice (as listed and absolute): count digests, not keys
    hits = {v for k, v in manifest.items() if os.path.basename(k) == base}
    return hits.pop() if len(hits) == 1 else None


def estimate_shards(inputs: list[str], target_bytes: int, enough: int | None = None) -> int | None:
    """How many shards ``plan_sources`` + ``pack_shards`` will make, from file sizes alone (nothing is read).

    The same size estimate as the plan's (compressed files times ``_COMPRESSION_RATIO``). With ``enough``, the
    walk stops as soon as that many shards are certain, so a directory of a million files is not listed twice
    (the flow lists it again). A ``file://`` URL counts as its local path. None for other URL inputs, whose
    listing may be slow or need credentials, and for a missing input (the flow reports it with its own message).
    """
    from tasks.lake import LakeError, local_path

    paths = []
    for item in inputs:
        if "://" not in item:
            paths.append(item)
            continue
        if not item.startswith("file://"):
            return None
        try:
            paths.append(str(local_path(item)))
        except LakeError:  # a file:// URL with a host: not a local path
            return None
    inputs = paths
    limit = None if enough is None else enough * target_bytes
    total = 0
    try:
        for path, size in local_sizes(inputs):
            total += size * _COMPRESSION_RATIO.get(detect_format(path)[1], 1)
            if limit is not None and total > limit:
                break
    except OSError:
        return None
    shards = max(1, -(-total // target_bytes))
    return shards if enough is None else min(shards, enough)


def plan_sources(
    inputs: list[str], target_bytes: int, manifest: dict[str, str] | None
) -> tuple[list[SourceEntry], list[dict[str, Any]]]:
    """Discover and hash every input; return source entries and all slices (each tagged with its source)."""
    entries: list[SourceEntry] = []
    slices: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for src in discover(inputs):
        entry = SourceEntry(src.uri, src.format, src.compression, src.size_bytes, None, None, "unverified")
        stamp = source_stamp(src.uri)  # before the hash: a change while it is read shows at the worker too
        try:
            if src.error:
                raise SourceReadError(src.error)
            sha, src_slices = hash_and_split(src, target_bytes)
        except SourceReadError as err:
            # The reader turns the unopenable file into one malformed record; the id must still be stable.
            entry.integrity, entry.error = "unreadable", str(err)
            sha = "unreadable:" + hashlib.sha256(src.uri.encode()).hexdigest()
            src_slices = None
        else:
            entry.sha256 = sha
            if src.compression != "none" and src.size_bytes == 0:
                # Not even a compressed stream: it reads as no records, which should not pass unremarked.
                entry.error = f"empty file: 0 bytes, not a {src.compression} stream; no records read"
        entry.occurrence = seen.get(sha, 0)
        seen[sha] = entry.occurrence + 1
        if manifest is not None and entry.integrity != "unreadable":
            entry.expected_sha256 = _expected(src.uri, manifest)
            if entry.expected_sha256 is None:
                entry.integrity = "unlisted"
            else:
                entry.integrity = "ok" if entry.expected_sha256 == sha else "mismatch"
        entries.append(entry)
        base = {"uri": src.uri, "format": src.format, "compression": src.compression}
        ident = {"sha256": sha, "occurrence": entry.occurrence, "integrity": entry.integrity,
                 **({"stamp": stamp} if stamp is not None else {})}
        if src_slices is None:
            slice_ = {**base, **ident, "start": 0, "end": None, "first_record": 0, "est_bytes": 1}
            if src.error:
                slice_["error"] = src.error  # the worker must not open it (a folder; a pipe would block)
            slices.append(slice_)
            continue
        ratio = _COMPRESSION_RATIO.get(src.compression, 1)
        for s in src_slices:
            span = (s.end if s.end is not None else src.size_bytes) - s.start
            est = max(
                1, src.size_bytes * ratio // len(src_slices) if src.format == "parquet" else span * ratio
            )
            slices.append(
                {
                    **base,
                    **ident,
                    "start": s.start,
                    "end": s.end,
                    "first_record": s.first_record,
                    "est_bytes": int(est),
                }
            )
    return entries, slices


def pack_shards(slices: list[dict[str, Any]], target_bytes: int, salt: str) -> list[ShardSpec]:
    """Group consecutive slices into shards of about ``target_bytes``; key each by content + ``salt``."""
    shards: list[ShardSpec] = []
    current: list[dict[str, Any]] = []
    size = 0
    for s in slices:
        if current and size + s["est_bytes"] > target_bytes:
            shards.append(_shard(len(shards), current, size, salt))
            current, size = [], 0
        current.append(s)
        size += s["est_bytes"]
    if current:
        shards.append(_shard(len(shards), current, size, salt))
    return shards


def _shard(index: int, slices: list[dict[str, Any]], size: int, salt: str) -> ShardSpec:
    # The URI is part of the key: staged rows carry their source's URI (documents.source_uri, per-source stages
    # such as flooding), so a renamed or moved file is staged again rather than reported under its old name.
    ident = [
        (s["sha256"], s["occurrence"], s["integrity"], s["start"], s["end"], s["format"], s["uri"])
        for s in slices
    ]
    # The shard index is part of the key: ord (first-seen order) depends on it.
    key = hashlib.sha256(json.dumps([index, ident, salt]).encode()).hexdigest()[:24]
    return ShardSpec(index=index, key=key, slices=list(slices), est_bytes=size)


def plan_hash(entries: list[SourceEntry], salt: str) -> str:
    """Identity of a whole run's input + config: a rerun with the same hash resumes an unfinished run."""
    ident = [(e.uri, e.sha256, e.integrity) for e in entries]
    return hashlib.sha256(json.dumps([ident, salt]).encode()).hexdigest()[:24]


def entries_as_dicts(entries: list[SourceEntry]) -> list[dict[str, Any]]:
    """Plain dicts for JSON and Arrow."""
    return [asdict(e) for e in entries]
