"""Every CLI command and every option is documented in the README (the sqlite-utils habit)."""

from __future__ import annotations

import pytest
import typer.main

from flows.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _commands(group, prefix: str = "sieve"):
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if getattr(cmd, "commands", None):  # a group (typer vendors its own click)
            yield from _commands(cmd, path)
        else:
            yield path, cmd


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_contract_commands_exist():
    names = {path for path, _ in COMMANDS}
    assert {"sieve run", "sieve query"} <= names


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_and_its_options_are_in_the_readme(path, cmd):
    assert f"`{path}" in README, f"{path} is not documented in README.md"
    for param in cmd.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"{path} {opt} is not documented in README.md"
