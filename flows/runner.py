"""Choosing the task runner and drawing progress for a ``sieve run`` (wiring between the CLI and the flow)."""

from __future__ import annotations

import time
from typing import Any

from flows.curate import FINISHED, curate_corpus, thread_task_runner
from flows.failures import error_line
from flows.heartbeats import heartbeats_not_joined
from schemas.config import load_config
from tasks import steps


def task_runner_for(name: str, dask_address: str | None, workers: int):
    """The Prefect task runner for ``--task-runner``: threads (also for ``processes``: see tasks/steps.py) or dask.

    ``workers`` is the run's worker count (``--workers``, else sieve.yaml's ``shards.workers``; 0 = one per core).
    """
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        from flows.run_logs import dask_worker_preload

        kwargs = {"n_workers": workers or 2, "threads_per_worker": 1, "processes": True}
        if preload := dask_worker_preload():  # a quiet run against the user's server: the shards' logs go there
            kwargs["preload"] = preload
        return DaskTaskRunner(cluster_kwargs=kwargs)
    return thread_task_runner(workers)


def _run_workers(workers: int, config: str | None, dataset: str) -> int:
    """The worker count the flow will use: ``workers``, else the config's ``shards.workers`` (0 = one per core).

    The task runner is built before the flow loads the config: from ``workers`` alone, a run with
    ``--workers 0`` had 4 task threads whatever the cores or ``shards.workers`` said, so on 8 cores 4 of the 8
    workers sat idle. An unreadable config is left for the flow to report.
    """
    if workers:
        return workers
    try:
        return load_config(config, dataset).shards.workers
    except Exception:  # noqa: BLE001 - the flow fails on it with its own message
        return 0


class _Progress:
    """Shards done / total and records/s on stderr, with rich."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            transient=False,
        )
        self.started = time.perf_counter()
        self.records = 0
        self.ids: dict[str, Any] = {}

    def __call__(self, kind: str, info: dict[str, Any]) -> None:
        if kind == "planned":
            self.progress.start()
            n = info["shards"]
            self.ids["staged"] = self.progress.add_task("stage shards", total=n, rate="")
            self.ids["routed"] = self.progress.add_task("route shards", total=n, rate="")
        elif kind in self.ids:
            if kind == "staged":
                self.records += info.get("records", 0)
                rate = self.records / max(1e-6, time.perf_counter() - self.started)
                self.progress.update(self.ids[kind], advance=1, rate=f"{self.records} records, {rate:,.0f}/s")
            else:
                self.progress.update(self.ids[kind], advance=1)

    def stop(self) -> None:
        self.progress.stop()


def _plain_json(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    return False


def plain_json_parameters(flow: Any) -> Any:
    """``flow``, sending parameters that are already plain JSON (all of ``curate-corpus``'s) to the API as they are.

    Prefect serialises flow parameters with FastAPI's ``jsonable_encoder``, and its first use imports FastAPI:
    0.5-1 s of every ``sieve run`` spent before the flow run can be created, for strings, numbers and lists that
    need no encoding. Anything else still goes through Prefect's own method.
    """
    prefect_serialize = flow.serialize_parameters

    def serialize_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
        if all(_plain_json(v) for v in parameters.values()):
            return dict(parameters)
        return prefect_serialize(parameters)

    flow.serialize_parameters = serialize_parameters
    return flow


def run_flow(
    *,
    inputs: list[str],
    lake: str,
    dataset: str,
    config: str | None,
    kind: str | None,
    text_field: str | None,
    manifest: str | None,
    task_runner: str,
    dask_address: str | None,
    workers: int,
    show_progress: bool,
    incremental: bool = False,
) -> dict[str, Any]:
    """Run ``curate-corpus`` with the chosen runner; return its summary dict (raises if the run failed)."""
    progress = _Progress() if show_progress else None
    steps.PROGRESS = progress
    FINISHED.clear()
    try:
        flow = plain_json_parameters(
            curate_corpus.with_options(
                task_runner=task_runner_for(task_runner, dask_address, _run_workers(workers, config, dataset)))
        )
        return _flow_or_finished(flow, dict(
            inputs=inputs,
            lake=lake,
            dataset=dataset,
            config=config,
            kind=kind,
            text_field=text_field,
            manifest=manifest,
            task_runner=task_runner,
            workers=workers,
            incremental=incremental,  # issue 8
        ))
    finally:
        steps.shutdown_pool()  # the flow shuts it down too; this covers a flow that never started
        steps.PROGRESS = None
        if progress:
            progress.stop()


def _flow_or_finished(flow: Any, parameters: dict[str, Any]) -> dict[str, Any]:
    """The flow's summary; also when Prefect fails after the flow body finished (its API gone mid-run): the run's
    outputs and provenance are complete then, so its summary is returned with ``prefect_error`` saying what failed.
    """
    try:
        with heartbeats_not_joined():
            return flow(**parameters)
    except Exception as err:
        if not FINISHED:
            raise
        return {**FINISHED[-1], "prefect_error": error_line(err)}
