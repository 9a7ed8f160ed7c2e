"""A bounded end for ``sieve run``: Prefect's queued events and logs, and a stop that does not hang.

A run's data and provenance are in the lake when the flow body returns; what is left is Prefect's bookkeeping (the
flow run's final state, the task runs' events, the API logs). When the Prefect API stops answering mid-run (a
server restarted, killed or out of memory), that bookkeeping could hold the CLI for many minutes: Prefect's client
retries each state change for about a minute (5 retries, 2-32 s apart), and at interpreter exit its events worker
drains its queue with no time limit, several seconds per event (hundreds of them: one per task state change).
A SIGTERM then did not help either: Prefect's engine reports the crash to the same API, retrying again.

So, here:

* ``drain_prefect`` sends what Prefect still has queued with a time limit, and says how it went;
* ``ForcedExit`` makes a second Ctrl+C end the process at once, and a first Ctrl+C or SIGTERM end it at the latest
  ``FORCE_AFTER`` seconds later (the flow marks its run failed in the lake within a second or two of the signal;
  Prefect's own crash report to an API that may be gone is what is cut short). During a flow run Prefect owns
  SIGTERM (its handler raises ``TerminationSignal`` and hands the signal on only after its crash report), so the
  flow arms the same watchdog itself when it is stopped (``STOP.arm``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

#: Seconds Prefect gets to send its queued events and logs after a run: ample for a live API (milliseconds).
DRAIN_SECONDS = 10.0
#: Seconds from a first Ctrl+C or SIGTERM to a forced exit, if the process has not ended by then.
FORCE_AFTER = 10.0


#: Set when a drain gave up: Prefect's own drain at interpreter exit would then wait for the same items without a
#: time limit, so the process must end without the interpreter's shutdown (``abandoned``).
_GAVE_UP: list[bool] = []


def abandoned() -> bool:
    """True when ``drain_prefect`` gave up on items still queued: exit with ``os._exit``, not ``sys.exit``."""
    return bool(_GAVE_UP)


def drain_prefect(timeout: float = DRAIN_SECONDS) -> bool:
    """Send Prefect's queued events and API logs, waiting ``timeout`` seconds at most; True when all were sent.

    Without Prefect imported there is nothing to send. Each worker is stopped here; what it sends in time is gone
    from its queue, and when it does not finish in time ``abandoned()`` says so.
    """
    if "prefect" not in sys.modules:
        return True
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    deadline = time.monotonic() + timeout
    done = True
    for service in (EventsWorker, APILogWorker):
        _, pending = service.drain_all(timeout=max(0.0, deadline - time.monotonic()))
        done = done and not pending
    if not done:
        _GAVE_UP.append(True)
    return done


def stop_line(signum: int, why: str = "") -> str:
    """The one line a command stopped by ``signum`` ends with: ``sieve: interrupted`` or ``sieve: terminated
    (SIGTERM)``, then ``why`` when the stop was forced, and for ``sieve run`` how to resume."""
    how = "terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted"
    resumes = " (a rerun of the same command resumes an interrupted run)" if sys.argv[1:2] == ["run"] else ""
    return f"sieve: {how}{': ' + why if why else ''}{resumes}"


def api_url() -> str:
    """The Prefect API URL this process uses, for messages ('the ephemeral API' when none is configured)."""
    try:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or "the ephemeral API"
    except Exception:  # noqa: BLE001 - only for a message
        return "the Prefect API"


_ARM_LOCK = threading.Lock()


class ForcedExit:
    """Signal bookkeeping of the CLI: which signals came, and a forced exit if stopping takes too long."""

    def __init__(self, force_after: float = FORCE_AFTER) -> None:
        self.received: list[int] = []
        self.force_after = force_after
        self.armed = False

    def handler(self, signum, frame) -> None:
        """SIGINT/SIGTERM handler: the first raises KeyboardInterrupt (as Ctrl+C does) and arms the watchdog; a
        second one ends the process at once."""
        self.received.append(signum)
        if len(self.received) > 1:
            self._exit(signum, "stopped at once (signal received twice)")
        self.arm(signum)
        signal.default_int_handler(signum, frame)

    def arm(self, signum: int) -> None:
        """End the process ``force_after`` seconds from now unless it has ended by then (armed once)."""
        with _ARM_LOCK:
            if self.armed:
                return
            self.armed = True
        threading.Thread(target=self._watch, args=(signum,), name="sieve-forced-exit", daemon=True).start()

    def _watch(self, signum: int) -> None:
        time.sleep(self.force_after)
        self._exit(signum, f"still stopping {self.force_after:.0f} s after the signal (Prefect's API may not be "
                           "answering); exiting now")

    @staticmethod
    def _exit(signum: int, why: str) -> None:
        try:
            sys.stderr.write(stop_line(signum, why) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said on it
            pass
        os._exit(128 + signum)


#: The process's one instance: the CLI installs its handler; the flow arms it when a signal stops it.
STOP = ForcedExit()
