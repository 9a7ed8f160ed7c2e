"""Choosing the task runner and drawing progress for a ``sieve run`` (wiring between the CLI and the flow)."""

from __future__ import annotations

import time
from typing import Any

from flows.curate import curate_corpus
from schemas.config import SieveConfig
from tasks import steps


def task_runner_for(name: str, dask_address: str | None, workers: int):
    """The Prefect task runner for ``--task-runner``: threads (also for ``processes``: see tasks/steps.py) or dask."""
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        kwargs = {"n_workers": workers or 2, "threads_per_worker": 1, "processes": True}
        return DaskTaskRunner(cluster_kwargs=kwargs)
    from prefect.task_runners import ThreadPoolTaskRunner

    # Threads only wait on the process pool in "processes" mode; a few more than workers keeps the pool busy.
    return ThreadPoolTaskRunner(max_workers=max(2, (workers or 2) * 2))


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


def warm_workers(lake: str, cfg: SieveConfig, workers: int) -> None:
    """Start the flow's worker processes and load the stages' models (of the resolved ``cfg``) before the flow asks."""
    from tasks.lake import LakeError, local_path

    try:
        root = local_path(lake)
    except LakeError:
        return  # the flow reports the bad lake
    steps.warm_pool(workers or cfg.shards.workers, cfg.model_dump_json(), str(root))


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
    try:
        flow = curate_corpus.with_options(task_runner=task_runner_for(task_runner, dask_address, workers))
        return flow(
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
        )
    finally:
        steps.shutdown_pool()  # the flow shuts it down too; this covers a flow that never started
        steps.PROGRESS = None
        if progress:
            progress.stop()
