"""Docs cannot drift: every command, option and setting has help and a documentation entry."""

from __future__ import annotations

import typer.core
import typer.main

from tcmap.cli import app
from tcmap.config import SETTINGS

from conftest import REPO

README = (REPO / "README.md").read_text()
# docs/cli.md, then one docs/cli-<domain>.md per domain (assessment, appraisal, ...).
CLI_DOC = "\n".join(p.read_text() for p in
                     [REPO / "docs" / "cli.md", *sorted((REPO / "docs").glob("cli-*.md"))])


def _commands():
    group = typer.main.get_command(app)
    return group, group.commands


def test_every_command_has_help_and_a_section_in_docs_cli():
    _, commands = _commands()
    for name, cmd in commands.items():
        assert cmd.help, f"`tcmap {name}` has no help"
        assert f"## tcmap {name}" in CLI_DOC, f"docs/cli.md has no section for tcmap {name}"


def test_every_option_has_help_and_is_named_in_its_section():
    _, commands = _commands()
    for name, cmd in commands.items():
        section = CLI_DOC.split(f"## tcmap {name}", 1)[1].split("\n## ", 1)[0]
        for param in cmd.params:
            if isinstance(param, typer.core.TyperOption) and param.name != "help":
                assert param.help, f"tcmap {name} {param.opts} has no help"
                assert any(o in section for o in param.opts), (
                    f"docs/cli.md section tcmap {name} does not mention {param.opts[0]}")


def test_every_setting_has_help_and_is_documented():
    for s in SETTINGS:
        assert s.help
        env = s.env or f"TCMAP_{s.name.upper()}"
        assert env in README or env in CLI_DOC, f"setting {s.name} ({env}) is undocumented"


def test_readme_opens_with_the_two_commands():
    head = README.split("\n## ", 1)[0]
    assert "scripts/demo" in head and "scripts/test" in head
