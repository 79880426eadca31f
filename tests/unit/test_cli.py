from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from wirewatch import codec
from wirewatch.cli import main
from wirewatch.schemas import validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("command", ["run", "worker", "poll", "extract", "tail", "broker", "feeds", "replay", "evaluate"])
def test_every_command_explains_itself(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 4


def test_extract_prints_one_enriched_line_for_the_seed() -> None:
    result = subprocess.run([sys.executable, "-m", "wirewatch", "extract", str(FIXTURES / "seed-article.txt")],
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    enriched = codec.loads(lines[0])
    validate("enriched", enriched)
    assert {"TUR", "SYR", "RUS"} <= {a["country"] for a in enriched["actors"]}


def test_extract_skips_bad_lines_and_says_so(seed_text: str) -> None:
    good = subprocess.run([sys.executable, "-m", "wirewatch", "extract", str(FIXTURES / "seed-article.txt")],
                          capture_output=True, timeout=120).stdout.splitlines()[0]
    stdin = b"not json\n" + good + b"\n"
    result = CliRunner().invoke(main, ["extract"], input=stdin)
    assert result.exit_code == 1
    assert "<stdin>:1: skipped" in result.stderr
    assert len(result.stdout_bytes.splitlines()) == 1


def test_invalid_setting_is_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREWATCH_PARTITIONS", "many")
    result = CliRunner().invoke(main, ["tail", "enriched"])
    assert result.exit_code == 1
    assert "WIREWATCH_PARTITIONS='many' is not an integer" in result.output
