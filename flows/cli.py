"""The ``sieve`` command line (contract: ../shared/DESIGN.md section 2). Wiring only.

Exit 0 when the command completed (whatever a run quarantined); non-zero with a one-line reason on stderr when it
failed. Prefect is imported lazily, after its environment defaults are set, so ``sieve query`` stays fast.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shlex
import signal
import sys
from typing import Annotated

import typer

from flows.failures import error_line, whole_range
from flows.shutdown import DRAIN_SECONDS, STOP, abandoned, api_url, drain_prefect, stop_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Sieve: curate LLM training corpora with per-document provenance you can query in SQL.",
)

LakeOpt = Annotated[str, typer.Option("--lake", help="Lake folder (outputs, provenance, catalog.duckdb).")]


class Failure(Exception):
    """A command failed for a reason the user can act on; printed as one line, exit code 2."""


def _prefect_env(verbose: bool) -> bool:
    """Set Sieve's defaults of Prefect's settings (a user's own win); True when Prefect's logging level is Sieve's
    quiet default (not --verbose, not set by the user)."""
    # Quiet, offline-friendly defaults; a user's own settings win.
    # Without --verbose a failed run is reported as one line by main(), not as Prefect's traceback.
    quiet = not verbose and "PREFECT_LOGGING_LEVEL" not in os.environ
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Offline-friendly: the client's telemetry and its first-run notice on a terminal (a new PREFECT_HOME) are off
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The first run on a fresh machine migrates a new database; on a busy 2-core box that can exceed 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    # PREFECT_CLIENT_MAX_RETRIES is left at Prefect's 5 (2-32 s apart) on purpose. Retried calls are only Prefect's
    # record of the run (flow-run states, artifacts): the data path makes none. With a server restarted during a
    # run's end (down 5-15 s here), 1 retry left the flow run 'Running' in Prefect for good or lost its artifacts
    # (2 of 2 tries), 3 and 5 recorded everything. The price is a server gone for good: ~3 min before the CLI
    # exits 0 with a warning (171 s measured), which Ctrl+C (10 s) or the user's own setting cut short.
    if not verbose:  # a local Dask cluster logs its start and stop at INFO: about 30 lines on stderr per run
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
        # An API gone mid-run made Prefect's events worker log every event it could not send (a few KB each) and
        # count what was left; the run says it in one line instead (flows/shutdown.py).
        os.environ.setdefault("PREFECT_INTERNAL_LOGGING_LEVEL", "CRITICAL")
        for name in ("EventsWorker", "APILogWorker"):
            logging.getLogger(name).setLevel(logging.ERROR)
    return quiet


def _check_run_options(dataset: str, workers: int, lake: str = "data/lake", text_field: str | None = None) -> None:
    from tasks.lake import DATASET_RULE, valid_dataset

    if not lake.strip():  # '' would make the working directory the lake
        raise Failure("--lake: empty path; give the lake folder (default data/lake)")
    if text_field is not None and not text_field.strip():  # '' was taken as "not given"
        raise Failure("--text-field: empty name; give the field holding the text (default text)")
    if not valid_dataset(dataset):  # it names folders and a lock file of the lake: never a path out of it
        raise Failure(f"--dataset: invalid value {dataset!r}; a dataset name is {DATASET_RULE}")
    from schemas.config import MAX_WORKERS

    if not 0 <= workers <= MAX_WORKERS:  # the range of shards.workers in sieve.yaml
        raise Failure(f"--workers: invalid value {workers}; valid values: 0 (config or cores) to {MAX_WORKERS}")


def _warm_up(inputs: list[str], lake: str, cfg, workers: int) -> int:
    """Start as many workers as the inputs have shards (estimated from file sizes); return how many.

    Inputs whose size is unknown before the plan (URLs other than file://) start none here: the pool then starts a
    worker per shard as the flow submits them (spawned workers start on demand), instead of one per core for a
    corpus that may be a single shard.
    """
    from tasks.plan import estimate_shards
    from tasks.workers import pool_size, warm_workers

    shards = estimate_shards(inputs, cfg.shards.target_bytes, enough=pool_size(workers))
    if shards is None:
        return 0
    warm_workers(lake, cfg.model_dump_json(), workers, shards)
    return min(pool_size(workers), shards)


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories or fsspec URLs to curate.")],
    lake: LakeOpt = "data/lake",
    dataset: Annotated[
        str, typer.Option("--dataset", help="Dataset name (dedup history is per dataset): A-Z a-z 0-9 _ . -")
    ] = "default",
    config: Annotated[
        str | None, typer.Option("--config", help="sieve.yaml (default: ./sieve.yaml if present).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="text | instruct (prompt/response records).")
    ] = None,
    text_field: Annotated[
        str | None, typer.Option("--text-field", help="Field holding the text (kind text).")
    ] = None,
    manifest: Annotated[
        str | None,
        typer.Option("--manifest", help="SHA256SUMS file; mismatches are quarantined as poison.integrity."),
    ] = None,
    task_runner: Annotated[
        str, typer.Option("--task-runner", help="threads | processes | dask.")
    ] = "processes",
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address", help="Scheduler of an existing Dask cluster (with --task-runner dask)."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (0 = config or cores); at most one per input shard.")
    ] = 0,
    incremental: Annotated[
        bool, typer.Option("--incremental", help="Only files new or changed since the dataset's completed runs.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Quiet; print one JSON summary line last.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show Prefect's logs.")] = False,
) -> None:
    """Run the curate-corpus flow over INPUTS into the lake."""
    from typing import get_args

    from schemas.config import Kind, TaskRunner

    if kind is not None and kind not in get_args(Kind):
        raise Failure(f"--kind: invalid value {kind!r}; valid values: {', '.join(get_args(Kind))}")
    if task_runner not in get_args(TaskRunner):
        raise Failure(f"--task-runner: invalid value {task_runner!r}; valid values: {', '.join(get_args(TaskRunner))}")
    _check_run_options(dataset, workers, lake, text_field)
    from flows.cli_inputs import check_inputs

    check_inputs(inputs, lake)
    # Fail on a bad config or manifest before starting Prefect: one line, no server start-up to wait for.
    from schemas.config import load_config, with_input_overrides
    from tasks.plan import read_manifest

    cfg = with_input_overrides(load_config(config, dataset), kind, text_field)
    if manifest is not None:  # --manifest '' is an error, not "no manifest"
        read_manifest(manifest)
    quiet = _prefect_env(verbose)
    # Prefect's API server starts now, on the other core, while this process imports and warms the workers up.
    from flows.ephemeral import EarlyApiServer, prefect_api

    server = EarlyApiServer()
    try:
        if task_runner == "processes":  # the workers import and load models while this process imports Prefect
            _warm_up(inputs, lake, cfg, workers or cfg.shards.workers)
        from flows.runner import run_flow

        if quiet:  # run logs to the user's own Prefect server, if any, still none on the terminal
            from flows.run_logs import send_run_logs_to_api

            send_run_logs_to_api()
        with prefect_api(server, timeout=float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])):
            try:
                result = run_flow(
                    inputs=inputs,
                    lake=lake,
                    dataset=dataset,
                    config=config,
                    kind=kind,
                    text_field=text_field,
                    manifest=manifest,
                    task_runner=task_runner,
                    dask_address=dask_address,
                    workers=workers,
                    show_progress=not as_json and sys.stderr.isatty(),
                    incremental=incremental,
                )
            finally:  # what Prefect still has to send, with a time limit (flows/shutdown.py)
                sent = drain_prefect()
    finally:
        server.stop()
    if not sent:
        print(f"sieve: warning: Prefect's API ({api_url()}) did not take this run's events and logs within "
              f"{DRAIN_SECONDS:.0f} s; they were dropped (the lake's outputs and provenance are complete)",
              file=sys.stderr)
    if result.get("prefect_error"):
        print(f"sieve: warning: the run completed (outputs and provenance are in the lake), but Prefect could not "
              f"record the flow run's end: {result['prefect_error']}", file=sys.stderr)
    if result["records"] == 0 and not result.get("incremental"):  # an incremental run says why on its own
        print("sieve: warning: no records were read: the inputs are empty (or hold only hidden files)",
              file=sys.stderr)
    elif cfg.input.kind == "text" and _text_field_absent(lake, result):
        print(f"sieve: warning: all {result['records']} records are input.malformed: none has the text field "
              f"{cfg.input.text_field!r} (set --text-field or input.text_field)", file=sys.stderr)
    if as_json:
        print(json.dumps(result, sort_keys=True, default=str))
        return
    c = result["counts"]
    if result.get("incremental"):  # issue 8: say what an incremental run skipped (and when it had nothing to do)
        print(result["incremental"]["message"])
    print(
        f"run {result['run_id']} of dataset {result['dataset']}: {result['records']} records in "
        f"{result['seconds']:.1f}s -> clean {c['clean']}, quarantined {c['quarantined']}, "
        f"duplicate {c['duplicate']}, dropped {c['dropped']}"
    )
    print(f"  clean data:  {result['clean']}")
    print(f"  quarantine:  {result['quarantine']}")
    if result.get("report"):
        print(f"  report:      {result['report']}")
    print(
        f"  provenance:  {result['catalog']}  (DuckDB views: documents, decisions, scores, duplicates, ...)"
    )
    print(
        f'  try:         sieve query "SELECT outcome, count(*) FROM documents WHERE run_id = '
        f"'{result['run_id']}' GROUP BY 1\" --lake {shlex.quote(lake)}"
    )


def _text_field_absent(lake: str, result: dict) -> bool:
    """Whether every record of the run was malformed for lacking the text field (a wrong --text-field, likely)."""
    records = result.get("records") or 0
    if not records or (result.get("reasons") or {}).get("input.malformed", 0) != records:
        return False
    from tasks.lake import Lake, local_path
    from tasks.provenance import records_missing_text_field

    return records_missing_text_field(Lake(local_path(lake)), result["run_id"]) == records


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run against the catalog (read-only).")],
    lake: LakeOpt = "data/lake",
    fmt: Annotated[str, typer.Option("--format", help=(
        "table | csv | json. csv and json stream every row (memory stays flat for any result size); table shows "
        "the first --max-rows rows and counts the rest. json: repeated column names get a suffix (a, a_2), "
        "NaN/Infinity print as null, blobs as base64, intervals as text; csv and table print lists and structs "
        "as JSON."))] = "table",
    max_rows: Annotated[int | None, typer.Option("--max-rows", help=(
        "table format only: show at most this many rows (default 1000), then a footer with the full row count; "
        "0 shows every row (held in memory to align the columns)."))] = None,
) -> None:
    """Run read-only SQL against the lake's catalog and print the result."""
    if fmt not in ("table", "csv", "json"):
        raise Failure(f"--format: invalid value {fmt!r}; valid values: table, csv, json")
    if max_rows is not None and (fmt != "table" or max_rows < 0):
        raise Failure("--max-rows: takes a count >= 0 (0: all rows) and applies to --format table only; "
                      "csv and json print every row (add LIMIT to the SQL for fewer)")
    from tasks.catalog import has_runs, query_stream
    from tasks.lake import Lake, local_path
    from tasks.query import TABLE_MAX_ROWS, write_csv, write_json, write_table

    lake_path = local_path(lake)  # a path or a file:// URL
    if not (lake_path / "catalog.duckdb").exists() and not has_runs(Lake(lake_path)):
        raise Failure(
            f"no catalog at {lake_path / 'catalog.duckdb'}: run `sieve run ... --lake {lake}` first"
        )
    with query_stream(Lake(lake_path), sql) as (names, batches):
        try:
            if fmt == "json":
                write_json(names, batches, sys.stdout)
            elif fmt == "csv":
                write_csv(names, batches, sys.stdout)
            else:
                write_table(names, batches, sys.stdout, TABLE_MAX_ROWS if max_rows is None else max_rows)
            sys.stdout.flush()
        except BrokenPipeError:  # `sieve query ... | head`: the reader has all it wanted; stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


from flows.cli_review import attach as attach_review  # noqa: E402  (sieve review ..., sieve release)

attach_review(app)


app.command(name="serve")(__import__("flows.serve", fromlist=["serve_command"]).serve_command)  # issue 8
app.command(name="train-toxicity")(__import__("flows.cli_train", fromlist=["train_toxicity"]).train_toxicity)  # issue 4


def main() -> None:
    """Console-script entry point: run the app, turning known failures into one line and exit code 2."""
    atexit.register(_exit_without_teardown)  # registered first, so it runs last: after Prefect's own handlers
    signal.signal(signal.SIGINT, _SIGNALS.handler)
    # SIGTERM (`kill`, `timeout`, systemd, docker stop) ends a run as Ctrl+C does. Without this, Prefect's flow
    # engine turned it into its own exception, then re-sent it to the default handler: the process died at once
    # (exit -15) with no word but a resource_tracker warning, its API server and exit handlers never stopped.
    # A second signal, or FORCE_AFTER seconds without an exit, ends the process outright (flows/shutdown.py).
    signal.signal(signal.SIGTERM, _SIGNALS.handler)
    try:
        code = _main()
    except KeyboardInterrupt:
        code = 130
    if _SIGNALS.received:  # Ctrl+C may surface as another error (DuckDB's "Query interrupted", a failed flow run)
        first = _SIGNALS.received[0]
        print(stop_line(first), file=sys.stderr)
        code = 128 + first  # the shell's code for death by that signal: 130 for SIGINT, 143 for SIGTERM
    _EXIT_CODE[0] = code
    if abandoned():  # Prefect's exit-time drain would wait for the items it could not send, without a time limit
        _exit_without_teardown()
    sys.exit(code)


_SIGNALS = STOP  # the signals received, first one first; forces the exit when stopping hangs


_EXIT_CODE = [1]  # what the process exits with if main() never finished (an uncaught error)


def _exit_without_teardown() -> None:
    """End the process once every other exit handler has run, skipping the interpreter's teardown.

    After a run the process holds a few hundred thousand objects (Prefect, pydantic, pyarrow); the final garbage
    collection and module teardown took 0.35-0.45 s of every ``sieve run`` here, with nothing left to do: the outputs
    are renamed into place and Prefect's exit handlers (registered later, so run earlier) have sent its events and
    logs. This flushes logging and the standard streams, then ends the process (Instagram's ``atexit`` +
    ``os._exit``); exit handlers registered before ``main`` started (only logging's here) are the ones skipped.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said on it
            pass
    os._exit(_EXIT_CODE[0])


def _main() -> int:
    from schemas.config import ConfigError
    from tasks.catalog import QueryError
    from tasks.lake import LakeError
    from tasks.plan import ManifestError

    try:
        # click returns the code of a typer.Exit here instead of exiting
        code = app(standalone_mode=False, prog_name="sieve")
        return code if isinstance(code, int) else 0
    except (Failure, ConfigError, LakeError, ManifestError, QueryError, FileNotFoundError) as err:
        print(f"sieve: error: {err}", file=sys.stderr)
        return 2
    except typer.Abort:
        return 130
    except Exception as err:  # usage errors and flow failures: one line, not a traceback
        if _SIGNALS.received:  # the error is how Ctrl+C surfaced: main() says so
            return 130
        import click

        # Typer 0.2x raises its own vendored click's exceptions (typer._click), whose base is TyperException.
        if isinstance(err, (click.ClickException, typer.TyperException)) and hasattr(err, "show"):
            whole_range(err)
            err.show()
            return int(getattr(err, "exit_code", 2))
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(err, BrokenProcessPool):  # its own text ("terminated abruptly") does not say what to do
            print("sieve: error: run failed: a worker process died mid-shard (killed, or out of memory: see dmesg; "
                  "fewer --workers or a smaller shards.target_bytes use less); the same command resumes the run",
                  file=sys.stderr)
            return 1
        print(
            f"sieve: error: run failed: {error_line(err)}",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    main()
