"""In Lambda, the library's `headlines.*` log lines go out through the function's Powertools Logger (JSON, its
service and level), at HEADLINES_LOG_LEVEL; outside Lambda standard logging is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO

CODE = """
import logging
from headlines.handlers import slack
logging.getLogger("headlines.slack.app").info("library info line")
logging.getLogger("headlines.ask.engine").debug("library debug line")
logging.getLogger("headlines.feeds").warning("library warning line")
"""


def _run(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HEADLINES_", "AWS_LAMBDA", "POWERTOOLS_"))}
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "PYTHONPATH": str(REPO / "functions"), **env},
    )
    assert result.returncode == 0, result.stderr
    return [line for line in (result.stdout + result.stderr).splitlines() if "library" in line]


def test_in_lambda_library_lines_are_structured_at_the_configured_level() -> None:
    lines = _run(AWS_LAMBDA_FUNCTION_NAME="headlines-slack", HEADLINES_LOG_LEVEL="INFO")
    records = [json.loads(line) for line in lines]
    assert [r["message"] for r in records] == ["library info line", "library warning line"]  # DEBUG below INFO
    assert {r["service"] for r in records} == {"headlines-slack"}
    assert records[0]["level"] == "INFO" and records[0]["name"] == "headlines.slack.app"
    debug = [json.loads(line)["message"] for line in _run(AWS_LAMBDA_FUNCTION_NAME="x", HEADLINES_LOG_LEVEL="DEBUG")]
    assert "library debug line" in debug


def test_outside_lambda_standard_logging_is_untouched() -> None:
    lines = _run(HEADLINES_LOG_LEVEL="DEBUG")
    assert lines == ["library warning line"]  # Python's last-resort handler: WARNING and above, plain text
