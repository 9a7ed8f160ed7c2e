"""Discovering and planning input files: list every source, hash its bytes once, and cut it into slices.

A slice is the unit a shard reads. Plain JSONL is cut at newline boundaries and Parquet at row-group
boundaries, so one big file can feed several shards in parallel; anything compressed (a gzip or zstd stream
cannot be entered in the middle), CSV (a quoted field may span lines) and text files stay whole. Every slice
knows the record index of its first record, so record indices (and hence ``doc_id``) are the same whether a
file is read whole or in slices.
"""

from __future__ import annotations

import glob as globmod
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import fsspec
import pyarrow.parquet as pq
from fsspec.core import url_to_fs

from tasks.lake import LakeError, local_path

FORMATS = ("jsonl", "parquet", "csv", "text")
COMPRESSIONS = ("none", "gzip", "zstd")

# Hashing reads this much at a time: memory stays flat whatever the file size.
HASH_CHUNK = 8 * 1024 * 1024

_COMPRESSION_SUFFIX = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
_FORMAT_SUFFIX = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".csv": "csv",
    ".tsv": "csv",  # read with a tab delimiter (tasks.input_names.csv_delimiter)
    ".tab": "csv",
}
# What makes an input a pattern (as glob and fsspec read it): *, ? and [...].
_GLOB_MAGIC = re.compile(r"[*?[]")
# Leading bytes that do not decide whether a JSON file is an array: whitespace and the UTF-8 byte-order mark.
_JSON_LEADING = b" \t\r\n\xef\xbb\xbf"


class InputNotFoundError(FileNotFoundError):
    """An input path or URL does not exist; the message names it."""

    def __init__(self, path: str):
        super().__init__(f"input not found: {path}")
        self.path = path


class SourceReadError(OSError):
    """A source exists but cannot be read (permission denied, I/O error).

    ``hash_and_split`` raises it instead of returning a made-up hash; the planner records the file as
    unreadable and the reader turns it into one malformed record, so the run goes on and nothing is dropped
    silently.
    """


@dataclass(frozen=True)
class SourceFile:
    """One input file: where it is, how to read it, and its size in bytes (compressed size for gz/zst).

    ``error`` says why it is not read at all (a folder that cannot be listed, a named pipe, a device): the
    planner records it as unreadable and no worker opens it.
    """

    uri: str
    format: str
    compression: str
    size_bytes: int
    error: str | None = None


@dataclass(frozen=True)
class SourceSlice:
    """A part of a source read by one shard.

    ``start``/``end`` are byte offsets for plain JSONL and row-group numbers for Parquet (``end`` exclusive,
    ``None`` = to the end); other formats are always one slice ``(0, None)``. ``first_record`` is the record
    index of the slice's first record: the physical line number for JSONL, the row index for Parquet.
    ``error`` (from ``SourceFile.error``): the slice is one malformed record and the source is never opened.
    """

    uri: str
    format: str
    compression: str
    start: int = 0
    end: int | None = None
    first_record: int = 0
    error: str | None = None


def detect_format(path: str) -> tuple[str, str]:
    """Return ``(format, compression)`` of a file from its name (``a.jsonl.zst`` -> ``("jsonl", "zstd")``).

    Anything that is not JSON lines, Parquet or CSV (``.csv``, ``.tsv``, ``.tab``) is a text file (one document
    per file).
    """
    name = PurePosixPath(path.lower()).name
    suffixes = PurePosixPath(name).suffixes
    compression = "none"
    if suffixes and suffixes[-1] in _COMPRESSION_SUFFIX:
        compression = _COMPRESSION_SUFFIX[suffixes.pop()]
    fmt = _FORMAT_SUFFIX.get(suffixes[-1], "text") if suffixes else "text"
    return fmt, compression


def may_be_json_array(path: str) -> bool:
    """Whether a file starting with ``[`` is read as one JSON array: only ``.json`` (maybe compressed) files.

    JSON Lines files never are: a line holding an array is one malformed record, not the whole file.
    """
    suffixes = PurePosixPath(PurePosixPath(path.lower()).name).suffixes
    if suffixes and suffixes[-1] in _COMPRESSION_SUFFIX:
        suffixes.pop()
    return bool(suffixes) and suffixes[-1] == ".json"


def _is_url(path: str) -> bool:
    return "://" in path


def _hidden(relative: str) -> bool:
    # Hidden files and everything under hidden folders (.git, .cache, editor swap files) are not data.
    return any(part.startswith(".") for part in relative.split("/") if part)


def _source(uri: str, size: int) -> SourceFile:
    fmt, compression = detect_format(uri)
    return SourceFile(uri=uri, format=fmt, compression=compression, size_bytes=int(size))


def _unread(uri: str, why: str) -> SourceFile:
    fmt, compression = detect_format(uri)
    return SourceFile(uri=uri, format=fmt, compression=compression, size_bytes=0, error=why)


def escaped_name(name: str) -> str:
    """A name the OS gave with undecodable bytes (lone surrogates), those bytes shown as ``\\xNN`` (``ls -b``)."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an undecodable byte
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _undecodable_name(uri: str) -> SourceFile | None:
    """An unreadable source for a name that is not valid UTF-8, else None.

    The OS hands such a name's bytes over as lone surrogates, which no Parquet file can store: the first shard
    writing the name as ``source_uri`` failed the whole run (UnicodeEncodeError). The name is recorded with those
    bytes as ``\\xNN`` escapes, as ``ls -b`` shows them, and the file is one malformed record saying so.
    """
    try:
        uri.encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    why = "file name is not valid UTF-8 (its bytes shown as \\xNN): rename the file to read it"
    return _unread(escaped_name(uri), why)


def _not_regular(path: str) -> str | None:
    """Why ``path`` is not read as a file (a pipe, socket, device or broken link), or None for a file or folder.

    Reading a named pipe blocks until a writer comes and ``/dev/zero`` never ends: such inputs are recorded as
    unreadable when they are listed and no worker opens them.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as err:  # a link to nothing
        return f"cannot stat: {err.strerror or err}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"))
    return "not a regular file: " + next((name for test, name in kinds if test(mode)), "unknown type")


def _walk(top: str, on_error: Callable[[OSError], None] | None = None) -> Iterator[str]:
    # Every file below the directory ``top`` in the walk's order, hidden files and folders skipped. A folder
    # that cannot be listed goes to ``on_error`` (os.walk would skip it without a word). Linked folders are
    # followed (corpora often live elsewhere, linked in), each real folder once: a link back up the tree (a loop)
    # or a second link to the same folder would otherwise walk for ever or read the same files twice.
    seen = {os.path.realpath(top)}
    for root, dirs, files in os.walk(top, onerror=on_error, followlinks=True):
        keep = []
        for d in sorted(dirs):  # sorted, so which of two links to one folder is read does not depend on the disk
            real = os.path.realpath(os.path.join(root, d))
            if not d.startswith(".") and real not in seen:
                seen.add(real)
                keep.append(d)
        dirs[:] = keep
        yield from (os.path.join(root, f) for f in files if not f.startswith("."))


def local_sizes(inputs: list[str]) -> Iterator[tuple[str, int]]:
    """``(path, bytes)`` of the files behind local ``inputs``, lazily and unsorted (``discover`` lists and sorts
    them all): for callers that only add sizes up and may stop early."""
    for item in inputs:
        top = os.path.abspath(os.path.expanduser(item))
        if not os.path.isdir(top):
            yield top, os.path.getsize(top)  # a missing input raises OSError, as in discover
            continue
        yield from ((path, os.path.getsize(path)) for path in _walk(top) if os.path.isfile(path))


def _expand_local(path: str) -> list[SourceFile]:
    top = os.path.abspath(os.path.expanduser(path))
    if not os.path.isdir(top):
        why = _not_regular(top)
        return [_unread(top, why) if why else _source(top, os.path.getsize(top))]
    errors: list[OSError] = []
    found: list[tuple[str, str | None]] = [(p, None) for p in _walk(top, errors.append)]
    # An unlisted folder is recorded like an unreadable file, so its loss shows in the run's sources.
    found += [(e.filename or top, f"cannot list directory: {e.strerror or e}") for e in errors]
    # Sort on the path relative to the input so the order does not depend on the file system's listing order.
    found.sort(key=lambda pair: os.path.relpath(pair[0], top).split(os.sep))
    out = []
    for p, why in found:
        why = why or _not_regular(p)  # a pipe, device or broken link in the folder is recorded, not skipped
        out.append(_unread(p, why) if why else _source(p, os.path.getsize(p)))
    return out


def _expand_url(url: str) -> list[SourceFile]:
    fs, path = url_to_fs(url)
    if not fs.isdir(path):
        info = fs.info(path)
        if info.get("type", "file") != "file":  # a pipe or device behind file://: reading it may never end
            return [_unread(url, f"not a regular file (type {info.get('type')})")]
        return [_source(url, info.get("size") or 0)]
    root = path.rstrip("/")
    listing = fs.find(root, withdirs=False, detail=True)
    out: list[tuple[list[str], SourceFile]] = []
    for child, info in listing.items():
        relative = child[len(root) :].lstrip("/")
        if info.get("type", "file") == "directory" or _hidden(relative):
            continue
        uri = fs.unstrip_protocol(child)
        if info.get("type", "file") != "file":
            why = f"not a regular file (type {info.get('type')})"
            out.append((relative.split("/"), _unread(uri, why)))
            continue
        out.append((relative.split("/"), _source(uri, info.get("size") or 0)))
    out.sort(key=lambda pair: pair[0])
    return [src for _, src in out]


def resolve_inputs(inputs: list[str]) -> list[str]:
    """The inputs as paths and URLs that exist, in order; ``InputNotFoundError`` names the first that does not.

    An input that exists as written is kept. A ``file://`` URL written percent-encoded, as RFC 8089 and
    ``Path.as_uri()`` write it (``file:///data/my%20corpus.jsonl``), names the decoded path. A pattern with
    ``*``, ``?`` or ``[...]`` (``data/*.jsonl``, ``s3://bucket/shards/*.jsonl.gz``; ``**`` spans folders) becomes
    the paths it matches, sorted; one that matches nothing is not found.
    """
    out: list[str] = []
    for item in inputs:
        if _is_url(item):
            fs, path = url_to_fs(item)
            if fs.exists(path):
                out.append(item)
            elif item.startswith("file:") and "%" in item and _decoded_exists(item):
                out.append("file://" + str(local_path(item)))
            elif _GLOB_MAGIC.search(path) and (matches := sorted(fs.glob(path))):
                out += [fs.unstrip_protocol(m) for m in matches]
            else:
                raise InputNotFoundError(item)
            continue
        local = os.path.expanduser(item)
        if os.path.lexists(local):
            out.append(item)
        elif _GLOB_MAGIC.search(local) and (matches := sorted(globmod.glob(local, recursive=True))):
            out += matches
        else:
            raise InputNotFoundError(item)
    return out


def _decoded_exists(url: str) -> bool:
    try:
        return local_path(url).exists()
    except LakeError:  # a file:// URL naming another host
        return False


def discover(inputs: list[str]) -> list[SourceFile]:
    """List the files behind ``inputs`` (local files, local directories, fsspec URLs of files or prefixes).

    Every input is checked first (``resolve_inputs``, which also expands patterns): a missing one raises
    ``InputNotFoundError`` naming it before any directory is walked. Directories are walked recursively, hidden
    files and folders skipped; a folder that cannot be listed, and a path that is not a regular file (a named
    pipe, a device, a broken link), is returned as a ``SourceFile`` with ``error`` set, which no worker opens.
    The result keeps input order, then path order within a directory; a file reached twice (listed and inside a
    listed folder, as a path and a ``file://`` URL, or through a link) appears once, at its first place, because
    reading it twice would put every record in the run twice.
    """
    inputs = resolve_inputs(inputs)
    seen: set[str] = set()
    out: list[SourceFile] = []
    for item in inputs:
        for src in _expand_url(item) if _is_url(item) else _expand_local(item):
            key = _same_file_key(src.uri)  # of the name as the OS gives it: two names never share a key
            if key not in seen:
                seen.add(key)
                out.append(_undecodable_name(src.uri) or src)
    return out


def _same_file_key(uri: str) -> str:
    # A local file named twice (a path and its file:// URL, or through a link) is one file: read once, at its first
    # place. Other URLs are compared as given.
    if _is_url(uri) and not uri.startswith("file:"):
        return uri
    try:
        return str(local_path(uri))  # resolved: links followed
    except LakeError:  # a file:// URL naming another host
        return uri


def _hash_and_cut(f, target_bytes: int | None, array: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """Hash a binary stream; with ``target_bytes`` set, also find line-start cuts ``(offset, line_number)``.

    Cuts are found on the chunks already read for hashing, so splitting costs no second pass over the file.
    With ``array`` (a ``.json`` file), a stream whose first meaningful byte is ``[`` is not cut.
    """
    digest = hashlib.sha256()
    cuts: list[tuple[int, int]] = [(0, 0)]
    pos = lines = 0
    split = target_bytes is not None
    decided = not split or not array  # whether the first meaningful byte has been seen (an array is never split)
    next_cut = target_bytes or 0
    while chunk := f.read(HASH_CHUNK):
        digest.update(chunk)
        if split and not decided:
            meaningful = chunk.lstrip(_JSON_LEADING)
            if meaningful:
                decided = True
                split = not meaningful.startswith(b"[")
        while split and next_cut < pos + len(chunk):
            newline = chunk.find(b"\n", max(next_cut - pos, 0))
            if newline < 0:
                break  # the line goes on in the next chunk: keep looking there
            cut = pos + newline + 1
            cuts.append((cut, lines + chunk.count(b"\n", 0, newline + 1)))
            next_cut = cut + (target_bytes or 0)
        if split:
            lines += chunk.count(b"\n")
        pos += len(chunk)
    if not split:
        cuts = [(0, 0)]
    # A cut at the very end (the file ends with the newline just found) would make an empty slice.
    return digest.hexdigest(), [c for c in cuts if c[0] == 0 or c[0] < pos]


def _parquet_slices(src: SourceFile, target_bytes: int) -> list[SourceSlice]:
    """Group row groups into slices of about ``target_bytes`` (uncompressed size from the footer)."""
    try:
        with fsspec.open(src.uri, "rb") as f:
            meta = pq.ParquetFile(f).metadata
    except Exception:  # a corrupt footer is the reader's to report, as one malformed record
        return [SourceSlice(src.uri, src.format, src.compression)]
    groups: list[tuple[int, int]] = []  # (first row group, first row)
    size = rows = 0
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        if i == 0 or (size and size + group.total_byte_size > target_bytes):
            groups.append((i, rows))
            size = 0
        size += group.total_byte_size
        rows += group.num_rows
    if len(groups) <= 1:
        return [SourceSlice(src.uri, src.format, src.compression)]
    ends: list[int | None] = [g for g, _ in groups[1:]] + [None]
    return [
        SourceSlice(src.uri, src.format, src.compression, start=g, end=end, first_record=row)
        for (g, row), end in zip(groups, ends, strict=True)
    ]


def hash_and_split(src: SourceFile, target_bytes: int) -> tuple[str, list[SourceSlice]]:
    """Return the sha256 (hex) of the file's raw bytes and the slices to read it in.

    The file is read once, in ``HASH_CHUNK`` pieces. Plain JSONL bigger than ``target_bytes`` is cut at line
    starts about every ``target_bytes`` (unless it is a ``.json`` file holding one JSON array); Parquet is cut
    into groups of row groups from its footer; everything else is one slice. Raises ``SourceReadError`` when the
    file cannot be read.
    """
    if target_bytes <= 0:
        raise ValueError(f"target_bytes must be positive, got {target_bytes}")
    split_lines = src.format == "jsonl" and src.compression == "none" and src.size_bytes > target_bytes
    try:
        with fsspec.open(src.uri, "rb") as f:
            sha, cuts = _hash_and_cut(f, target_bytes if split_lines else None, may_be_json_array(src.uri))
    except OSError as err:
        raise SourceReadError(f"cannot read {src.uri}: {err}") from err
    if src.format == "parquet" and src.compression == "none":
        return sha, _parquet_slices(src, target_bytes)
    ends: list[int | None] = [offset for offset, _ in cuts[1:]] + [None]
    slices = [
        SourceSlice(src.uri, src.format, src.compression, start=offset, end=end, first_record=line)
        for (offset, line), end in zip(cuts, ends, strict=True)
    ]
    return sha, slices
