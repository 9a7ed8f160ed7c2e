"""The failure every ``sieve`` subcommand raises for a reason the user can act on (DESIGN.md section 2)."""

from __future__ import annotations

import sys

import click


class CommandFailure(click.ClickException):
    """A command failed for a reason the user can act on: one line on stderr, ``sieve: error: ...``, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: D102 (click's hook)
        print(f"sieve: error: {self.message}", file=sys.stderr)


def error_line(err: BaseException) -> str:
    """``Type: first line of the message`` of an error, for one-line reports (a traceback's text can run on)."""
    text = str(err)
    return f"{type(err).__name__}: {text.splitlines()[0] if text else ''}"
