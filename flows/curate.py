"""The ``curate-corpus`` flow: plan -> stage shards (map) -> corpus stages -> route shards (map) -> register.

Wiring only. The flow holds the dataset's write lock for the whole run, records the run in the lake's ``runs``
table (running -> completed | failed) and resumes an unfinished run of the same inputs and config under its id.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, get_args

from prefect import flow, unmapped
from prefect.runtime import flow_run
from pydantic import Field

from flows.failures import error_line
from flows.shutdown import STOP
from schemas.config import MAX_WORKERS, Kind, SieveConfig, TaskRunner, load_config, with_input_overrides
from tasks import incremental as incremental_plan  # issue 8
from tasks import provenance, steps
from tasks.catalog import refresh_or_defer
from tasks.ids import new_run_id
from tasks.lake import Lake, dataset_lock
from tasks.lineage import RunLineage  # issue 8
from tasks.plan import read_manifest
from tasks.registry import stage_identities

#: The summary of each flow run that got to its end in this process, last one last: the data and provenance are in
#: the lake by then, so ``flows.runner`` can still report a run whose final Prefect state could not be recorded.
FINISHED: list[dict[str, Any]] = []


def resolve_config(config: str | None, dataset: str, kind: str | None, text_field: str | None) -> SieveConfig:
    """Load the config for ``dataset`` and apply the command-line overrides of ``input``."""
    return with_input_overrides(load_config(config, dataset), kind, text_field)


#: The values ``kind``, ``task_runner`` and ``workers`` may take (``schemas.config``: those of ``sieve run``'s options
#: and sieve.yaml). In the flow's signature, Prefect checks them before the flow starts (an API or deployment run
#: too), ``sieve serve`` before it serves a deployment, and the deployment's parameter schema shows them (a choice
#: list in Prefect's UI). As plain ``str``/``int``, a deployment's ``kind: chat`` failed each run after its ``runs``
#: row was written (pydantic's multi-line text as the error) and ``workers: -1`` with "max_workers must be greater
#: than 0".
Workers = Annotated[int, Field(ge=0, le=MAX_WORKERS)]


def run_name() -> str:
    """A flow run's name in Prefect: ``<dataset>-<two random words>`` (``web-brave-otter``).

    Prefect's UI and logs list flow runs by name; its two random words alone did not say which dataset a run curated
    (a served nightly run of one dataset and a `sieve run` of another looked alike).
    """
    from prefect.utilities.names import generate_slug

    return f"{flow_run.parameters.get('dataset', 'default')}-{generate_slug(2)}"


def thread_task_runner(workers: int = 0) -> Any:
    """The flow's Prefect task runner for ``threads`` and ``processes``: at most two task threads per worker.

    ``workers`` 0 means one worker per core. In ``processes`` mode a task thread only waits for its shard on the
    process pool, and one more per worker keeps the pool busy; in ``threads`` mode the shards run in those threads.
    Prefect's own default has no bound (``sys.maxsize`` threads): a deployment's run of 1,020 shards started 955
    threads, and in ``threads`` mode every shard at once with all their batches in memory.
    """
    from prefect.task_runners import ThreadPoolTaskRunner

    from tasks.workers import pool_size

    return ThreadPoolTaskRunner(max_workers=max(2, 2 * pool_size(workers)))


def _default_task_runner() -> Any:
    """The runner of a run that names none (a deployment's): the user's Prefect setting, else two per core."""
    from prefect.settings import PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS
    from prefect.task_runners import ThreadPoolTaskRunner

    if PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS.value():
        return ThreadPoolTaskRunner()
    return thread_task_runner(0)


@flow(name="curate-corpus", flow_run_name=run_name, log_prints=False, validate_parameters=True,
      task_runner=_default_task_runner())
def curate_corpus(
    inputs: list[str],
    lake: str = "data/lake",
    dataset: str = "default",
    config: str | None = None,
    kind: Kind | None = None,
    text_field: str | None = None,
    manifest: str | None = None,
    task_runner: TaskRunner = "processes",
    workers: Workers = 0,
    incremental: bool = False,
) -> dict[str, Any]:
    """Curate ``inputs`` into ``lake`` as ``dataset``: clean + quarantine Parquet and full provenance."""
    started = time.perf_counter()
    steps.allow_new_pool()  # an earlier flow run of this process (sieve serve) may have failed and stopped it
    _check_task_runner(task_runner)
    _check_lake_outside_inputs(inputs, lake)
    the_lake = Lake.at(lake)
    cfg = resolve_config(config, dataset, kind, text_field)
    config_json = cfg.model_dump_json()
    mode = "inline" if task_runner in ("threads", "dask") else "processes"
    workers = workers or cfg.shards.workers
    salt = cfg.config_hash() + "|" + ",".join(stage_identities(cfg.stages))
    expected = read_manifest(manifest) if manifest else None
    with dataset_lock(the_lake, dataset, run_hint=f"flow run {flow_run.id}"):
        planned = steps.plan_task(inputs, cfg.shards.target_bytes, expected, salt)
        if incremental:  # issue 8: keep only files new or changed since the dataset's completed runs
            planned = incremental_plan.narrow_plan(the_lake, dataset, planned, cfg.shards.target_bytes, salt)
            steps.log_message(planned["incremental"]["message"])
        run_id = provenance.resumable_run(the_lake, dataset, planned["plan_hash"]) or new_run_id()
        run_row = {
            "run_id": run_id,
            "dataset": dataset,
            "flow_run_id": str(flow_run.id or ""),
            "started_at": provenance.now(),
            "status": "running",
            "config_hash": cfg.config_hash(),
            "config_json": cfg.canonical_json(),
            "code_version": provenance.code_version(),
            "kind": cfg.input.kind,
            "plan_hash": planned["plan_hash"],
            "stages": salt.split("|", 1)[1],
        }
        the_lake.sweep_temp(dataset, run_id)  # a resumed run may find a killed writer's temp files
        provenance.close_abandoned_runs(the_lake, dataset, keep=run_id)  # a killed run's row still says running
        # Built before the running row is written and started inside the try: a Ctrl+C or SIGTERM while it imports
        # the OpenLineage client left the row saying running, as no except clause was active yet.
        lineage = RunLineage(the_lake, cfg.lineage, run_row, cfg.input.text_field)  # issue 8
        provenance.write_run_row(the_lake, run_row)
        try:
            lineage.start(planned["sources"])  # issue 8
            result = _run(the_lake, dataset, run_id, cfg, config_json, planned, mode, workers)
        except BaseException as err:
            lineage.fail(planned["sources"], err)  # issue 8
            provenance.write_run_row(
                the_lake,
                {
                    **run_row,
                    "status": "failed",
                    "finished_at": provenance.now(),
                    "error": _error_text(err),
                },
            )
            steps.shutdown_pool(stop=True, kill=not isinstance(err, Exception))  # Ctrl+C, SIGTERM: kill now
            if not isinstance(err, Exception):  # and end the process soon, whatever Prefect's API does meanwhile
                STOP.arm(getattr(err, "signal", signal.SIGINT))
            if isinstance(err, Exception):  # not for Ctrl+C: the user wants out
                _show_failed_run(the_lake)
            raise
        steps.shutdown_pool(wait=False)  # every shard is written: the workers exit while the catalog is refreshed
        provenance.write_run_row(
            the_lake,
            {
                **run_row,
                "status": "completed",
                "finished_at": provenance.now(),
                "counts_json": provenance.counts_json(result["counts"], result["reasons"]),
            },
        )
        # issue 8: the HTML run report, lineage COMPLETE, what an incremental run skipped. The report reads the
        # lake's Parquet, not the catalog: it is written in a task thread while the catalog is refreshed (both
        # mostly DuckDB, which leaves the GIL; 0.1 s of a 10k-document run's 3.5 s, measured).
        report = steps.report_task.submit(str(the_lake.root), dataset, run_id, result["stage_seconds"])
        refresh_or_defer(the_lake)  # readers holding the catalog must not fail a finished run
        lineage.complete(result.pop("sources_rows"))
        result["report"] = report.result()
        try:
            result.pop("artifacts").result()
        except Exception as err:  # noqa: BLE001 - Prefect's copy of the summary; the lake's data is complete
            result["prefect_error"] = f"run artifacts not published: {error_line(err)}"
        if "incremental" in planned:
            result["incremental"] = planned["incremental"]
    result["seconds"] = round(time.perf_counter() - started, 3)
    FINISHED.append(result)
    return result


def _error_text(err: BaseException) -> str:
    """A failed run's ``runs.error``: the exception, or how a signal stopped it (Prefect's ``TerminationSignal``
    and ``KeyboardInterrupt`` have no message: the row said only 'TerminationSignal: ')."""
    if isinstance(err, KeyboardInterrupt):
        return "interrupted (Ctrl+C or SIGINT)"
    if not isinstance(err, Exception):
        sig = getattr(err, "signal", None)
        return f"terminated ({signal.Signals(sig).name})" if sig else f"stopped: {type(err).__name__}"
    return f"{type(err).__name__}: {err}"[:2000]


def _check_task_runner(task_runner: str) -> None:
    """Refuse a ``task_runner`` parameter the run cannot honour, before anything is written.

    ``sieve run`` gives the flow the runner it names (flows/runner.py), but a deployment's run uses the flow's
    default thread runner whatever its parameters say: ``dask`` there ran every shard in threads of the flow
    process without a word, and an unknown name ran as ``processes``.
    """
    if task_runner not in get_args(TaskRunner):  # Prefect checks it first; a direct call of the flow's .fn does not
        raise ValueError(f"task_runner: invalid value {task_runner!r}; valid values: {', '.join(get_args(TaskRunner))}")
    if task_runner != "dask":
        return
    from prefect.context import FlowRunContext
    from prefect_dask import DaskTaskRunner

    ctx = FlowRunContext.get()
    if ctx is not None and not isinstance(ctx.task_runner, DaskTaskRunner):
        raise ValueError(
            "task_runner 'dask' needs the flow run to use Prefect's DaskTaskRunner, as `sieve run --task-runner "
            f"dask` does; this run has {type(ctx.task_runner).__name__} (a deployment runs the flow's default "
            "runner): use 'processes' or 'threads'"
        )


def _check_lake_outside_inputs(inputs: list[str], lake: str) -> None:
    """Refuse, before anything is written, inputs whose folder walk would read the lake (a deployment's runs are
    not checked by ``sieve run``'s command line, which refuses the same)."""
    from flows.cli_inputs import lake_in_inputs
    from tasks.sources import resolve_inputs

    local = [i for i in inputs if "://" not in i or i.startswith("file:")]  # a lake is a local folder
    try:
        resolved = resolve_inputs(local)
    except Exception:  # noqa: BLE001 - a missing input: the plan reports it with its own message
        return
    if why := lake_in_inputs(resolved, lake):
        raise ValueError(why)


def _show_failed_run(lake: Lake) -> None:
    """Refresh the catalog after a failed run, so its ``runs`` row (status, error) can be queried even when it was
    the lake's first run. Never raises: the run's own error is the one to report."""
    try:
        refresh_or_defer(lake, wait=2.0)
    except Exception:  # noqa: BLE001, S110 - a broken lake must not hide why the run failed
        pass


def _run(
    lake: Lake,
    dataset: str,
    run_id: str,
    cfg: SieveConfig,
    config_json: str,
    planned: dict[str, Any],
    mode: str,
    workers: int,
) -> dict[str, Any]:
    shards = planned["shards"]
    stage_dirs = [str(lake.stage_dir(dataset, s["key"])) for s in shards]
    if steps.PROGRESS:
        steps.PROGRESS("planned", {"shards": len(shards), "sources": len(planned["sources"])})
    staged = steps.gather(steps.stage_shard_task.map(
        shards, stage_dirs, unmapped(config_json), unmapped(mode), unmapped(workers)
    ), "staged")
    work = lake.run_work_dir(dataset, run_id)
    prior = provenance.completed_runs(lake, dataset, exclude=run_id)
    corpus = steps.corpus_task(config_json, run_id, dataset, str(lake.root), stage_dirs, prior, str(work))
    routed = steps.gather(steps.route_task.map(
        [s["index"] for s in shards],
        stage_dirs,
        unmapped(corpus["corpus_dir"]),
        unmapped(run_id),
        unmapped(dataset),
        unmapped(str(lake.root)),
        unmapped(config_json),
        unmapped(mode),
        unmapped(workers),
    ), "routed")
    outcomes: Counter = Counter()
    reasons: Counter = Counter()
    files: list[dict[str, Any]] = []
    for r in routed:
        outcomes.update(r["outcomes"])
        reasons.update(r["reasons"])
        files += r["files"]
    # the near-dup stage's persisted signatures (index/<dataset>/minhash/run=<run_id>/), written in the corpus step
    files += provenance.file_rows("index.minhash", lake.index_dir(dataset, "minhash", run_id))
    per_source: Counter = Counter()
    notes: dict[str, list[str]] = {}
    for s in staged:
        per_source.update(s["per_source"])
        for uri, said in s.get("source_notes", {}).items():  # markers staged before notes existed have none
            notes.setdefault(uri, []).extend(said)
    sources = [
        {
            **e,
            "run_id": run_id,
            "source_uri": e["uri"],
            "records": per_source.get(e["uri"], 0),
            # What a reader gave up on (the rest of a broken file) joins the planner's own error, if any.
            "error": "; ".join([*([e["error"]] if e.get("error") else []), *notes.get(e["uri"], [])]) or None,
        }
        for e in planned["sources"]
    ]
    files.append(
        {"role": "provenance.sources", **provenance.write_table_rows(lake, "sources", run_id, sources)}
    )
    for f in files:
        f["run_id"] = run_id
    provenance.write_table_rows(lake, "files", run_id, files)
    top = sorted(
        ({"source_uri": k, "records": v} for k, v in per_source.items()), key=lambda r: -r["records"]
    )
    stage_seconds = _sum_seconds(staged, corpus)
    # The artifacts are API calls only: they are published while the flow refreshes the catalog and the report.
    artifacts = steps.summary_artifact_task.submit(
        run_id, dataset, dict(outcomes), dict(reasons), top, str(lake.root), stage_seconds  # issue 8: + timings
    )
    return {
        "run_id": run_id,
        "dataset": dataset,
        "lake": str(lake.root),
        "records": sum(outcomes.values()),
        "counts": {k: outcomes.get(k, 0) for k in ("clean", "quarantined", "duplicate", "dropped")},
        "reasons": dict(sorted(reasons.items())),
        "shards": len(shards),
        "shards_skipped": sum(1 for s in staged if s.get("skipped")),
        "clean": str(lake.root / "clean" / dataset / f"run={run_id}"),
        "quarantine": str(lake.root / "quarantine" / dataset / f"run={run_id}"),
        "catalog": str(lake.catalog),
        "stage_seconds": stage_seconds,
        "sources_rows": sources,  # issue 8: for the lineage COMPLETE event (popped before returning)
        "artifacts": artifacts,  # popped and waited for before returning
    }


def _sum_seconds(staged: list[dict[str, Any]], corpus: dict[str, Any]) -> dict[str, float]:
    """Seconds per stage spent by this run: a skipped shard (staged before, its marker reused) cost it nothing."""
    total: Counter = Counter()
    for s in staged:
        if not s.get("skipped"):
            total.update(s.get("stage_seconds", {}))
    total.update(corpus.get("stage_seconds", {}))
    return {k: round(v, 3) for k, v in total.items()}


def lake_path(path: str) -> Path:
    """Absolute lake path (helper for callers that print it)."""
    return Path(path).expanduser().resolve()
