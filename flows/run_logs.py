"""Where a quiet ``sieve run``'s Prefect run logs go: to a Prefect server the user runs, never to the terminal.

Without ``--verbose`` the CLI keeps Prefect off the terminal (a failed run is one ``sieve: error:`` line). It did so
with ``PREFECT_LOGGING_LEVEL=CRITICAL``, which drops a record at its logger, before any handler: a run against the
user's own server (``PREFECT_API_URL``, or a profile's API) had no log at all in Prefect's UI, not even "Beginning
flow run" or a failed shard's error, while runs that server's deployments started had theirs. Here the flow and
task runs' loggers take INFO again and the terminal's handler leaves their records out, so the server's API handler
gets them and the terminal reads as before. Against the ephemeral API nothing changes: that server ends with the
command, nobody could read the logs, and sending them costs each task run time.
"""

from __future__ import annotations

import logging

#: The loggers of flow and task runs, whose handlers send their records to the Prefect API.
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


def _not_run_logs(record: logging.LogRecord) -> bool:
    """A terminal's filter: a run log only when critical (what ``PREFECT_LOGGING_LEVEL=CRITICAL`` let through)."""
    return record.levelno >= logging.CRITICAL or not record.name.startswith(RUN_LOGGERS)


def send_run_logs_to_api() -> bool:
    """Send the run logs of this process to the Prefect API it is configured with, keeping them off the terminal.

    Call it once Prefect is imported (its logging configured) and before the flow starts. Returns whether a
    configured API was found (no change otherwise).
    """
    from prefect.logging.handlers import PrefectConsoleHandler
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():  # the ephemeral API: see above
        return False
    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and _not_run_logs not in handler.filters:
            handler.addFilter(_not_run_logs)
    for name in RUN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    _SENDING.append(True)
    return True


#: Non-empty once ``send_run_logs_to_api`` applied in this process: its local Dask workers must do the same.
_SENDING: list[bool] = []


def dask_worker_preload() -> list[str]:
    """Dask's ``preload`` for the workers of a local cluster this run starts: this module (``dask_setup`` below)
    when this process sends its run logs to the user's server, else none.

    The workers inherit the CLI's quiet ``PREFECT_LOGGING_LEVEL=CRITICAL``, and the task runs they execute (every
    shard's) log there: with ``--task-runner dask`` the server had the flow's logs and none of the shards'.
    """
    return [__name__] if _SENDING else []


def dask_setup(worker) -> None:  # noqa: ARG001 - distributed's preload hook, called in each worker at start-up
    """In a Dask worker started by a quiet run against the user's server: send its run logs there too."""
    # Importing prefect.main (as unpickling the first task does: ``from prefect import task``) configures Prefect's
    # logging again, which puts the run loggers back to PREFECT_LOGGING_LEVEL: it is imported first.
    import prefect.main  # noqa: F401

    send_run_logs_to_api()

