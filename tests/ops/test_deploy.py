"""The example units in deploy/ and the Containerfile run commands that exist, with
options that exist (checked against the real command line, not a copy of it)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy").glob("*.service"))


def lms_commands() -> list[list[str]]:
    """Every ``lms …`` invocation of the units and the Containerfile's comments."""
    commands = []
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart=") and "/bin/lms " in line:
                words = shlex.split(line.removeprefix("ExecStart="))
                commands.append(words[1:])
    container = (ROOT / "Containerfile").read_text(encoding="utf-8")
    for match in re.finditer(r"lms (lms [^\n#]+)", container):
        commands.append(shlex.split(match.group(1))[1:])
    return commands


def test_there_are_units_for_every_process():
    names = {unit.name for unit in UNITS}
    assert {"lms-web.service", "lms-worker@.service", "lms-scheduler.service",
            "lms-upgrade.service"} <= names
    assert len(lms_commands()) >= 6


@pytest.mark.parametrize("words", lms_commands(), ids=" ".join)
def test_each_lms_command_of_the_examples_exists_with_its_options(app, words):
    runner = app.test_cli_runner()
    path = [w for w in words if not w.startswith("-")]
    command = path[:2] if path[0] in ("db", "privacy", "certificates") else path[:1]
    result = runner.invoke(args=[*command, "--help"])
    assert result.exit_code == 0, result.output
    for option in (w.split("=")[0] for w in words if w.startswith("--")):
        assert option in result.output, f"lms {' '.join(path)} has no option {option}"
