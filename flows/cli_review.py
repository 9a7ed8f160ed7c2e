"""``sieve review serve|list|show|approve|reject|restore`` and ``sieve release`` (DESIGN.md sections 2 and 7).

Wiring only: the work is in ``tasks/review``. Attached to the main app by ``attach(app)`` in ``flows/cli.py``.
Terminal reviews are recorded under ``--reviewer`` (default: your login name): whoever can run this command can
write the lake anyway, so a token would add nothing here; the web app, reachable over the network, needs one.
"""

from __future__ import annotations

import getpass
import json
import logging
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from flows.failures import CommandFailure
from tasks.lake import Lake, LakeError
from tasks.review.tokens import REVIEWER_RE, TokenError

review_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None,
    help="Review quarantined records: a web app for reviewers, and the same actions from the terminal.",
)

LakeOpt = Annotated[str, typer.Option("--lake", help="Lake folder (outputs, provenance, catalog.duckdb).")]
DatasetOpt = Annotated[str, typer.Option("--dataset", help="Only records of this dataset.")]
RunOpt = Annotated[str, typer.Option("--run", help="Only records quarantined by this run.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="A reason code (pii.EMAIL_ADDRESS) or family (pii).")]
SourceOpt = Annotated[str, typer.Option("--source", help="Only records whose source URI contains this.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why (kept with the review).")]
ReviewerOpt = Annotated[str, typer.Option("--reviewer", help="Reviewer name (default: your login name).")]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ReviewFailure(CommandFailure):
    """A review command failed for a reason the user can act on: one line, exit code 2."""


def _lake(path: str) -> Lake:
    """The lake at ``path``; a lost catalog is rebuilt from its Parquet (and says so), a folder with no run fails."""
    from tasks.review.access import ensure_catalog

    lake = Lake(Path(path).expanduser().resolve())
    _guard(ensure_catalog, lake)
    return lake


def _filter(dataset: str, run: str, reason: str, source: str, status: str):
    from tasks.review.queue import FilterError, QueueFilter

    try:
        return QueueFilter(dataset=dataset, run=run, reason=reason, source=source, status=status)
    except FilterError as err:
        raise ReviewFailure(f"--{err}") from None


def _known_dataset(the_lake: Lake, dataset: str) -> None:
    """Refuse a --dataset the lake has no run of, as ``sieve release`` does: a typo listed or reviewed nothing and
    said "0 matching" with exit 0."""
    if not dataset:
        return
    from tasks.provenance import datasets

    known = datasets(the_lake)
    if dataset not in known:
        raise ReviewFailure(f"no dataset {dataset!r} in lake {the_lake.root}; its datasets: "
                            f"{', '.join(known) or 'none'}")


def _guard(fn, *args, **kwargs):
    """Run ``fn`` turning the review errors into one-line failures."""
    from tasks.review.queue import FilterError
    from tasks.review.reviews import ReviewError

    try:
        return fn(*args, **kwargs)
    except (LakeError, ReviewError, FilterError, TokenError) as err:
        raise ReviewFailure(str(err)) from None


@review_app.command()
def serve(
    lake: LakeOpt = "data/lake",
    tokens: Annotated[str, typer.Option("--tokens", help="File of reviewer:token lines (required).")] = "",
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback unless you say otherwise).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8765,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="Host names browsers may use to reach a non-loopback bind (repeat)."),
    ] = None,
) -> None:
    """Serve the review web app for one lake (Ctrl+C stops it)."""
    import uvicorn

    from flows.review_app import LOOPBACK_HOSTS, create_app
    from tasks.review.tokens import AccessLogSecretFilter, TokenFile

    if not tokens:
        raise ReviewFailure("--tokens FILE is required: one reviewer:token per line")
    the_lake = _lake(lake)
    token_file = _guard(TokenFile, tokens)
    if token_file.loosely_readable():
        print(f"sieve: warning: {token_file.path} is readable by other users; chmod 600 it", file=sys.stderr)
    if host in LOOPBACK:
        hosts = LOOPBACK_HOSTS
    else:
        print(f"sieve: warning: serving on {host}, beyond this machine: put TLS in front of it (tokens and "
              "unredacted quarantined text cross the network)", file=sys.stderr)
        hosts = allowed_host or (["*"] if host in ("0.0.0.0", "::") else [host, *LOOPBACK_HOSTS])
    _check_listen(host, port)
    app = _guard(create_app, the_lake.root, token_file, allowed_hosts=hosts)
    shown = f"[{host}]" if ":" in host else host
    print(f"Reviewing lake {the_lake.root} for {', '.join(token_file.reviewers())} at http://{shown}:{port}/",
          file=sys.stderr)
    config = uvicorn.Config(app, host=host, port=port, log_level="info", server_header=False, proxy_headers=False)
    logging.getLogger("uvicorn.access").addFilter(AccessLogSecretFilter())  # after Config set up uvicorn's logging
    uvicorn.Server(config).run()


def _check_listen(host: str, port: int) -> None:
    """Fail in one line when ``host:port`` cannot be listened on (uvicorn would print its own multi-line error)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ReviewFailure(f"--host {host}: {err.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a TIME_WAIT port is free
        try:
            probe.bind(address)
        except OSError as err:
            raise ReviewFailure(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


@review_app.command("list")
def list_(
    lake: LakeOpt = "data/lake",
    dataset: DatasetOpt = "", run: RunOpt = "", reason: ReasonOpt = "", source: SourceOpt = "",
    status: Annotated[str, typer.Option("--status", help="pending | approved | rejected | all.")] = "pending",
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table | csv | json.")] = "table",
) -> None:
    """List quarantined records in queue order, with their status and reasons."""
    from tasks.query import write_csv, write_json, write_table
    from tasks.review import access, queue
    from tasks.review.highlight import visible

    if fmt not in ("table", "csv", "json"):
        raise ReviewFailure(f"--format: invalid value {fmt!r}; valid values: table, csv, json")
    the_lake, flt = _lake(lake), _filter(dataset, run, reason, source, status)
    _known_dataset(the_lake, dataset)

    def fetch():
        with access.reading(the_lake) as con:
            return queue.count(con, flt), queue.page(con, flt, limit, offset)

    total, rows = _guard(fetch)
    names = ["position", "run_id", "doc_id", "dataset", "status", "reasons", "source_uri", "source_record", "preview"]
    for r in rows:  # 1-based, as the web app numbers the queue and the footer counts ("showing 1-50")
        r["position"] += 1
    if fmt != "json":  # JSON escapes control characters itself; a terminal or a CSV viewer would obey them
        for r in rows:
            r["reasons"] = ",".join(r["reasons"] or [])
            r["preview"] = visible(r["preview"])[:60 if fmt == "table" else None]
            r["source_uri"] = visible(r["source_uri"])
    # A quarantined preview may be planted text ("=HYPERLINK(...)"): the CSV is defused for spreadsheets
    write = {"json": write_json, "csv": lambda *a: write_csv(*a, defuse=True), "table": write_table}[fmt]
    write(names, [[tuple(r[n] for n in names) for r in rows]], sys.stdout)  # one batch: a page is at most 500
    if fmt == "table":
        shown = f"showing {offset + 1}-{offset + len(rows)}" if rows else (
            f"none at offset {offset}" if offset else "none")
        print(f"{total} matching; {shown}")


@review_app.command()
def show(
    doc_id: Annotated[str, typer.Argument(help="The record's doc_id.")],
    lake: LakeOpt = "data/lake",
    run: Annotated[str, typer.Option("--run", help="The quarantine run (default: the newest).")] = "",
    fmt: Annotated[str, typer.Option("--format", help="text | json.")] = "text",
) -> None:
    """Show one quarantined record: text, findings, scores, duplicates and earlier reviews."""
    from tasks.review import access, record
    from tasks.review.highlight import visible

    if fmt not in ("text", "json"):
        raise ReviewFailure(f"--format: invalid value {fmt!r}; valid values: text, json")
    doc_id = _doc_id(doc_id)
    the_lake = _lake(lake)

    def fetch():
        with access.reading(the_lake) as con:
            return record.detail(con, doc_id, run or None)

    rec = _guard(fetch)
    if rec is None:
        raise ReviewFailure(f"no quarantined record {doc_id}" + (f" in run {run}" if run else ""))
    if fmt == "json":
        print(json.dumps(rec, default=str, sort_keys=True))
        return
    # Everything from the record goes through visible(): its text may hold terminal escape sequences.
    print(f"{rec['doc_id']}  [{rec['status']}]  dataset {rec['dataset']}  run {rec['run_id']}")
    print(f"source {visible(rec['source_uri'])} record {rec['source_record']}  "
          f"reasons {', '.join(rec['reasons'] or [])}")
    for f in rec["findings"]:
        spans = ", ".join(f"{s['start']}-{s['end']} {visible(s['label'])}" for s in f["spans"][:10])
        print(f"  #{f['number']} {f['reason']} ({f['action']}, score {f['score']}, {f['stage']}) {spans}")
        for key, note in record.evidence_notes(f["evidence"]):  # e.g. the hidden text a tag-character run spells
            print(f"     {key}: {visible(note)}")
    for s in rec["scores"]:
        print(f"  score {s['stage']}.{s['name']} = {s['value']}")
    for c in rec["cluster"]:
        if c["doc_id"] == c["duplicate_of"] == rec["doc_id"]:  # the same record read again by a later run
            print(f"  read again by run {c['run_id']}: a duplicate of this copy ({c['method']})")
            continue
        print(f"  duplicate {c['doc_id']} of {c['duplicate_of']} in run {c['run_id']} ({c['method']}, "
              f"{c['similarity']})")
    if rec["superseded_by"]:
        print(f"  newer copy quarantined by run {rec['superseded_by']}: a release follows that copy's review, "
              "not this one's")
    for r in rec["released_in"]:
        print(f"  released into clean by release {r}" + (" (rejected since: a release is never undone)"
                                                          if rec["status"] == "rejected" else ""))
    for r in rec["reviews"]:
        print(f"  review {r['reviewed_at']} {r['reviewer']} {r['verdict']}: {visible(r['note'])}")
    print("--- text" if rec["text"] is not None else f"--- raw ({rec['raw_encoding']})")
    print(visible(rec["text"] if rec["text"] is not None else rec["raw"]))


def _doc_id(value: str) -> str:
    """A doc id as typed or pasted (surrounding whitespace dropped), refused unless it looks like one."""
    from tasks.review.highlight import visible
    from tasks.review.queue import valid_doc_id

    doc_id = value.strip()
    if not valid_doc_id(doc_id):
        raise ReviewFailure(f"not a doc_id: {visible(value)!r} (ids are printed by `sieve review list`)")
    return doc_id


def _review(verdict: str, doc_ids: list[str], lake: str, run: str, note: str, reviewer: str, dataset: str,
            reason: str, source: str, status: str, everything: bool, yes: bool) -> None:
    from tasks.lake import DATASET_RULE, valid_dataset
    from tasks.review import access, queue, record, reviews

    reviewer = reviewer or getpass.getuser()
    if not REVIEWER_RE.match(reviewer):
        raise ReviewFailure("--reviewer: 1-64 of letters, digits and _.@+-")
    if doc_ids:
        if everything or reason or source or status:
            raise ReviewFailure("--all, --reason, --source and --status select records for a bulk review; with "
                                "DOC_IDs give only --run or --dataset")
        if dataset and not valid_dataset(dataset):
            raise ReviewFailure(f"--dataset: invalid value; expected {DATASET_RULE}")
        ids = [_doc_id(d) for d in doc_ids]
        the_lake = _lake(lake)
        # All in one transaction: every id is checked first, and a bad one records nothing
        rows = _guard(reviews.append_reviews, the_lake, ids, reviewer, verdict, note, run or None,
                      dataset=dataset or None)
        released: dict[str, list[str]] = {}
        if rows and rows[0]["verdict"] == queue.REJECTED:
            try:
                with access.reading(the_lake) as con:
                    for ds in sorted({r["dataset"] for r in rows}):
                        released.update(record.released_in_many(con, [r["doc_id"] for r in rows
                                                                      if r["dataset"] == ds], ds))
            except LakeError:  # the reviews are recorded; only the warnings are lost to a busy catalog
                released = {}
        for row in rows:
            doc_id = row["doc_id"]
            print(f"{row['verdict']} {row['run_id']}/{doc_id} by {reviewer} (dataset {row['dataset']})")
            if row["superseded_by"]:
                print(f"sieve: warning: run {row['superseded_by']} quarantined {doc_id} again; a release follows "
                      "that newer copy's review, not this one's", file=sys.stderr)
            if released.get(doc_id):
                print(f"sieve: warning: {doc_id} is already in clean (release {', '.join(released[doc_id])}); a "
                      "rejection does not take it back out", file=sys.stderr)
        return
    if not everything:
        raise ReviewFailure("name DOC_IDs, or --all to review every record matching the filters")
    the_lake = _lake(lake)
    flt = _filter(dataset, run, reason, source, status or queue.PENDING)
    _known_dataset(the_lake, dataset)

    def count():
        with access.reading(the_lake) as con:
            return queue.count(con, flt)

    n = _guard(count)
    try:
        filters = ", ".join(f"{k}={v}" for k, v in flt.params().items())
        confirmed = yes or typer.confirm(f"{verdict.capitalize()} {_records(n)} matching {filters}?")
    except typer.Abort:  # end of input (no terminal): not a yes
        print(file=sys.stderr)
        confirmed = False
    if not confirmed:
        print("nothing reviewed (not confirmed; -y/--yes confirms without asking)", file=sys.stderr)
        raise typer.Exit(1)
    done = _guard(reviews.review_matching, the_lake, flt, reviewer, verdict, note, expected=n)
    print(f"{reviews.normalise_verdict(verdict)} {_records(done)} by {reviewer}")


def _records(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"


def _verdict_command(verdict: str):
    def command(
        doc_ids: Annotated[list[str] | None, typer.Argument(help="doc_ids to review (or --all with filters).")] = None,
        lake: LakeOpt = "data/lake",
        run: Annotated[str, typer.Option("--run", help="The quarantine run (default: each record's newest).")] = "",
        note: NoteOpt = "", reviewer: ReviewerOpt = "",
        dataset: DatasetOpt = "", reason: ReasonOpt = "", source: SourceOpt = "",
        status: Annotated[str, typer.Option(
            "--status", help="With --all: pending (the default) | approved | rejected | all.")] = "",
        everything: Annotated[bool, typer.Option("--all", help="Review every record matching the filters.")] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm a bulk review.")] = False,
    ) -> None:
        _review(verdict, doc_ids or [], lake, run, note, reviewer, dataset, reason, source, status, everything, yes)

    command.__doc__ = f"{verdict.capitalize()} quarantined records (appends a reviews row each; latest wins)."
    return command


review_app.command("approve")(_verdict_command("approve"))
review_app.command("reject")(_verdict_command("reject"))


@review_app.command()
def restore(lake: LakeOpt = "data/lake") -> None:
    """Put reviews from the Parquet journal (provenance/reviews) back into a rebuilt catalog's reviews table."""
    from tasks.catalog import refresh_catalog
    from tasks.review.reviews import restore_reviews

    the_lake = Lake(Path(lake).expanduser().resolve())
    if not the_lake.catalog.exists():
        if not (the_lake.root / "provenance" / "runs").is_dir():
            raise ReviewFailure(f"no lake at {the_lake.root}: it has no catalog and no provenance/runs")
        _guard(refresh_catalog, the_lake)  # a lost catalog: its views come back from the lake's Parquet
        print(f"rebuilt the catalog {the_lake.catalog} from the lake's Parquet", file=sys.stderr)
    n = _guard(restore_reviews, the_lake)
    print(f"restored {n} review rows")


def release(
    lake: LakeOpt = "data/lake",
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset whose approved records to publish.")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary line.")] = False,
) -> None:
    """Publish approved quarantined records into the clean dataset as a new version (its own run)."""
    from tasks.review.release import release as do_release

    the_lake = _lake(lake)
    summary = _guard(do_release, the_lake, dataset)
    withdrawn, n = summary["rejected_after_release_ids"], summary["rejected_after_release"]
    if n:  # on stderr, so --json's stdout stays one JSON line; the summary names the first ids only
        # the command names this lake: without --lake it would query data/lake, another lake or none
        print(f"sieve: warning: {n} records released earlier are rejected now and stay in clean (a "
              f"release is never undone): {', '.join(withdrawn[:10])}{' ...' if n > 10 else ''}; all of them: "
              f"sieve query \"{summary['rejected_after_release_query']}\" "  # SQL of a valid dataset name
              f"--lake {shlex.quote(str(the_lake.root))}", file=sys.stderr)
    if as_json:
        print(json.dumps(summary, sort_keys=True, default=str))
        return
    if summary["run_id"] is None:
        print(f"nothing new to release in dataset {dataset}: {summary['approved']} approved "
              f"({summary['already_released']} already released, {summary['already_in_clean']} already in clean "
              f"as another copy, {summary['no_text']} without text), "
              f"{summary['rejected']} rejected, {summary['pending']} pending")
        return
    hidden = (f", hidden Unicode removed from {summary['hidden_removed']} ({summary['hidden_chars']} characters)"
              if summary["hidden_removed"] else "")
    print(f"release {summary['run_id']} of dataset {dataset}: {summary['released']} records into clean "
          f"({summary['redactions']} redactions{hidden}); {summary['rejected']} rejected and {summary['pending']} "
          f"pending stay in quarantine")
    print(f"  clean data:  {summary['clean']}")


def attach(app: typer.Typer) -> None:
    """Add ``review`` and ``release`` to the main ``sieve`` app."""
    app.add_typer(review_app, name="review")
    app.command("release")(release)
