"""The inputs of ``sieve run``, checked before anything starts: each failure is one line, exit code 2."""

from __future__ import annotations

import os

from flows.failures import CommandFailure


def check_inputs(inputs: list[str], lake: str = "data/lake") -> None:
    """Fail, in one line, on an input the run cannot take: a name that is not UTF-8, an unknown URL protocol, a
    missing path, a pattern matching nothing, a folder holding the lake."""
    for item in inputs:
        try:  # the OS hands a name's undecodable bytes over as surrogates: Prefect's JSON of the run's parameters
            item.encode("utf-8")  # failed on them ("surrogates not allowed") after the run had started
        except UnicodeEncodeError:
            from tasks.sources import escaped_name

            why = "the name is not valid UTF-8 (its bytes shown as \\xNN); rename it"
            raise CommandFailure(f"input {escaped_name(item)}: {why}") from None
        if "://" not in item:
            continue
        import fsspec

        # every protocol of a URL (chained ones too, "simplecache::s3://..."): an unknown one fails here, in one
        # line, not inside the flow as fsspec's "Protocol not known"
        for part in item.split("::"):
            protocol = part.split("://", 1)[0]
            try:
                fsspec.get_filesystem_class(protocol)
            except ValueError:
                why = f"unknown protocol {protocol!r} (not an fsspec filesystem)"
                raise CommandFailure(f"input {item}: {why}") from None
            except ImportError as err:
                raise CommandFailure(f"input {item}: protocol {protocol!r} needs a package: {err}") from None
    from tasks.sources import InputNotFoundError, resolve_inputs

    # a missing path or URL, or a pattern matching nothing, fails here, before the flow starts (seconds later)
    try:
        resolved = resolve_inputs(inputs)
    except InputNotFoundError as err:
        raise CommandFailure(str(err)) from None
    except Exception:  # noqa: BLE001, S110 - e.g. missing credentials: the run reports it with its own message
        return
    if why := lake_in_inputs(resolved, lake):
        raise CommandFailure(why)


def lake_in_inputs(inputs: list[str], lake: str) -> str | None:
    """Why the run cannot take ``inputs`` (resolved) when an input folder holds the lake, else None (``sieve run
    data/`` with the default ``--lake data/lake``; the flow asks too, for a deployment's runs).

    Its walk read the lake as corpus: the run's own lock file went clean in the first run, and the next one read
    every clean, quarantine and provenance Parquet file, the catalog and the reports again as input records.
    A lake in a hidden folder is not walked, so it is allowed.
    """
    from tasks.lake import LakeError, local_path

    try:
        root = local_path(lake)
    except LakeError:
        return None  # the run names a bad lake itself
    for item in inputs:
        if "://" in item and not item.startswith("file:"):
            continue
        try:
            top = local_path(item if "://" in item else os.path.abspath(os.path.expanduser(item)))
        except LakeError:
            continue
        if not top.is_dir() or (root != top and top not in root.parents):
            continue
        if any(part.startswith(".") for part in root.relative_to(top).parts):
            continue
        return (f"input {item} holds the lake {root}: its walk would read the lake's own files (outputs, catalog, "
                "lock) as input records; pass the corpus folders, or a --lake outside them")
    return None
