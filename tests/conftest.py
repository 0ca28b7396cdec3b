"""Shared fixtures. Every test starts from a clean environment so a real token or store never leaks in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws_local import forget_built_handlers

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]

_CLEARED_PREFIXES = ("HEADLINES_", "SLACK_")


def pytest_configure(config: pytest.Config) -> None:
    """An empty user data directory for the whole run, module- and session-scoped fixtures included: after
    `make demo` the user's holds the ONNX export, which HEADLINES_ENCODER=auto would otherwise pick up."""
    import shutil
    import tempfile

    data_home = tempfile.mkdtemp(prefix="headlines-test-data-")
    os.environ["XDG_DATA_HOME"] = data_home
    config.add_cleanup(lambda: shutil.rmtree(data_home, ignore_errors=True))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No ambient HEADLINES_*/SLACK_* settings; the embedded store and the user data directory (where an ONNX
    export from `make demo` would make HEADLINES_ENCODER=auto pick it) live in the test's tmp dir."""
    for key in list(os.environ):
        if key.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HEADLINES_DB", str(tmp_path / "headlines.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    from headlines.settings import get_settings

    get_settings.cache_clear()
    forget_built_handlers()
    yield
    get_settings.cache_clear()
    forget_built_handlers()


@pytest.fixture(scope="session")
def onnx_data_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user data directory (XDG_DATA_HOME) holding the int8 ONNX export, made as `make demo` makes it:
    `headlines model export --int8 --skip-existing` in a fresh process, without --output."""
    home = tmp_path_factory.mktemp("data-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED_PREFIXES)}
    env |= {"XDG_DATA_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    command = [sys.executable, "-m", "headlines", "model", "export", "--int8", "--skip-existing"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "cosine vs torch mean" in result.stdout and "min" in result.stdout
    return home


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (free port) for the whole session; every boto3 client is pointed at it
    through AWS_ENDPOINT_URL, with dummy credentials, so no test can reach real AWS."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = _free_port()
    from tests.aws_local import serialize_dynamodb_writes

    serialize_dynamodb_writes()  # DynamoDB's own atomicity, which moto lacks across threads
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as mp:
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            mp.delenv(key, raising=False)
        mp.setenv("AWS_ENDPOINT_URL", url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_REGION", "us-east-1")
        import botocore.session

        from headlines.aws.clients import reset_clients
        from tests.iam_local import install

        # Every client made from here on checks the calls a handler makes against its function's role.
        mp.setattr(botocore.session.Session, "create_client", install(botocore.session.Session.create_client))
        reset_clients()
        try:
            yield url
        finally:
            reset_clients()
            server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Fresh, uniquely named resources from template.yaml on the moto server; HEADLINES_* point at them.

    IAM as deployed: every handler template.yaml names runs as its function, and each AWS call it makes is
    checked against that function's role (tests/iam_local.py); a call the role would not allow is refused as
    AWS would, and the test fails naming the statement to add.
    """
    import functools
    import importlib

    from tests.aws_local import create_stack
    from tests.iam_local import ENFORCER, handler_targets, roles

    stack = create_stack()
    for key, value in stack.env().items():
        monkeypatch.setenv(key, value)
    from headlines.settings import get_settings

    get_settings.cache_clear()
    ENFORCER.roles, ENFORCER.names, ENFORCER.denials = roles(stack.names), stack.names, []
    from headlines.aws import secrets
    from tests.aws_local import deployment_settings, function_environment

    deployed = deployment_settings()
    last: list[str] = []

    def as_function(event: Any, context: Any, _fn: str, _original: Any) -> Any:
        """Run a handler as its function: its role, and only the deployment settings template.yaml gives it
        (the test's stand-in values for those); secrets cached by another function are not seen."""
        hidden = {k: os.environ.pop(k) for k in deployed - set(function_environment(_fn)) if k in os.environ}
        get_settings.cache_clear()
        if last[-1:] != [_fn]:
            secrets._provider.cache_clear()
            last.append(_fn)
        try:
            with ENFORCER.acting_as(_fn):
                return _original(event, context)
        finally:
            os.environ.update(hidden)
            get_settings.cache_clear()

    stack.as_function = lambda function, handle: functools.partial(as_function, _fn=function, _original=handle)
    for function, target in handler_targets().items():
        module_name, _, attr = target.rpartition(".")
        module = importlib.import_module(module_name)
        wrapped = functools.partial(as_function, _fn=function, _original=getattr(module, attr))
        monkeypatch.setattr(module, attr, functools.wraps(getattr(module, attr))(wrapped))

    # Which settings each function uses while it runs: a deployment setting (one template.yaml sets on some
    # function) that a function uses must be set for that function too, or on AWS it would use a default
    # (a table named "headlines-stories"). A read that finds None is "not configured", which code must handle.
    from headlines.settings import Settings

    reads: set[tuple[str, str]] = set()
    plain = Settings.__getattribute__

    def recording(self: Settings, name: str) -> Any:
        value = plain(self, name)
        if ENFORCER.acting and value is not None and name in Settings.model_fields:
            reads.add((ENFORCER.acting[-1], name))
        return value

    monkeypatch.setattr(Settings, "__getattribute__", recording)
    yield stack
    denials, ENFORCER.denials = ENFORCER.denials, []
    assert not denials, "IAM (template.yaml roles) refused:\n" + "\n".join(dict.fromkeys(str(d) for d in denials))
    unset = sorted(
        f"{fn} reads HEADLINES_{name.upper()}, which template.yaml does not set for it"
        for fn, name in reads
        if f"HEADLINES_{name.upper()}" in deployed and f"HEADLINES_{name.upper()}" not in function_environment(fn)
    )
    assert not unset, "\n".join(unset)


@pytest.fixture
def slack() -> Iterator[Any]:
    """A local HTTP server speaking the Slack Web API and recording what it is sent."""
    from tests.fakes.slack_api import FakeSlackAPI

    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """A fresh embedded (SQLite) store in the test's tmp dir; modules needing another store override it."""
    from headlines.store.sqlite import SQLiteStore

    s = SQLiteStore(tmp_path / "store.db")
    yield s
    s.close()


@pytest.fixture(params=["sqlite", "dynamodb"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh store of each kind, for guarantees that must hold on both: SQLite in the test's tmp dir, and DynamoDB
    on the local moto server, built by the container from the `aws` fixture's settings as a Lambda builds it."""
    if request.param == "sqlite":
        from headlines.store.sqlite import SQLiteStore

        backend: Any = SQLiteStore(tmp_path / "store.db")
    else:
        stack = request.getfixturevalue("aws")
        from headlines.container import build_store

        backend = build_store()  # HEADLINES_STORE=dynamodb and the table names come from the `aws` fixture
        assert type(backend).__name__ == "DynamoDBStore"
        assert stack.tables["StoriesTable"] in repr(backend)
    yield backend
    backend.close()
