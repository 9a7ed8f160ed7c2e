"""The ``sieve`` command's entry point, free of imports until it is called.

A run's worker processes are spawned, and a spawned process first imports the command's main module: the console
script, which imports the module named in ``[project.scripts]``. Named ``flows.cli`` there, every worker imported
the whole CLI (typer, the review commands, pyarrow; 0.25 s of CPU each) before it could lower its priority
(tasks/worker_init.py), on the cores the CLI and Prefect's server start-up needed.
"""

from __future__ import annotations


def main() -> None:
    """Run the ``sieve`` command line (``flows.cli.main``)."""
    from flows.cli import main as cli_main

    cli_main()
