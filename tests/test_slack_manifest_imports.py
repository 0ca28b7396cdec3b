"""The app manifest, and the promise that the Slack ack path never loads the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from tests.conftest import REPO

HEAVY = ("torch", "transformers", "onnxruntime", "spacy")


def test_manifest_is_valid_yaml_with_command_events_and_minimal_scopes() -> None:
    manifest = yaml.safe_load((REPO / "infra" / "slack-manifest.yaml").read_text())
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/headlines" and command["url"].endswith("/slack/events")
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # channels:history / groups:history: the post ledger finds its own message before re-posting (docs/reliability.md)
    assert scopes == {
        "commands",
        "chat:write",
        "chat:write.public",
        "app_mentions:read",
        "im:history",
        "channels:history",
        "groups:history",
    }
    events = manifest["settings"]["event_subscriptions"]
    assert set(events["bot_events"]) == {"app_mention", "message.im"}
    assert events["request_url"] == command["url"]


def test_import_and_help_ack_load_no_model_library(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = f"""
import json, sys
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_events import command_event, lambda_context
import headlines.handlers.slack as h
loaded_on_import = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})
with FakeSlackAPI() as slack:
    import os
    os.environ["SLACK_API_BASE_URL"] = slack.base_url
    response = h.handler(command_event("help"), lambda_context())
loaded = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})
print(json.dumps({{"status": response["statusCode"], "on_import": loaded_on_import, "after_help": loaded}}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HEADLINES_"))}
    env |= {
        "PYTHONPATH": os.pathsep.join([str(REPO / "functions"), str(REPO)]),
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "HEADLINES_DB": str(tmp_path / "h.db"),
        "HEADLINES_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/unused",  # as deployed
    }
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"status": 200, "on_import": [], "after_help": []}
