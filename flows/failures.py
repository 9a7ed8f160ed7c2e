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


def whole_range(err: BaseException) -> None:
    """Say every bound of a ranged option when a value crossed one (``0 is out of range; valid values: 1 to 65535``).

    Typer checks ``min=``/``max=`` with pydantic, whose message names only the bound crossed ("Input should be
    greater than or equal to 1" for ``--port 0``): the user learnt one end of the range and had to guess the other.
    Other errors (a value that is no number at all) keep their message.
    """
    from pydantic import ValidationError

    from schemas.ranges import RANGE_ERRORS, range_text

    param, cause = getattr(err, "param", None), err.__cause__
    if not isinstance(cause, ValidationError) or not hasattr(err, "message"):
        return
    problems = cause.errors()
    if len(problems) != 1 or problems[0]["type"] not in RANGE_ERRORS:
        return
    bounds = {"ge": getattr(param, "min", None), "le": getattr(param, "max", None)}
    if bounds["ge"] is None and bounds["le"] is None:  # a constraint not from min=/max=: pydantic's words are all
        return
    err.message = f"{problems[0].get('input')} is out of range; valid values: {range_text(**bounds)}"
