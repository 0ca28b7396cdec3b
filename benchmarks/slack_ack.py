"""How fast the Slack Lambda handler acknowledges, in process: cold import, first request, warm requests.

Signed API Gateway v2 events go through `headlines.handlers.slack.handler` exactly as in Lambda
(signature check, Bolt dispatch, our listener); the Slack Web API is the local fake (only Bolt's
one-off `auth.test` on the first request reaches it). The queue is a real in-process queue.

    PYTHONPATH=functions:. .venv/bin/python benchmarks/slack_ack.py [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "functions"), str(REPO)]
HEAVY = ("torch", "transformers", "onnxruntime", "spacy")


def cold_import() -> tuple[float, list[str]]:
    code = (
        "import sys, time; t = time.perf_counter(); import headlines.handlers.slack; "
        "print(time.perf_counter() - t); "
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'functions'}{os.pathsep}{REPO}")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    return float(out[0]), [m for m in (out[1] if len(out) > 1 else "").split(",") if m]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    imports = [cold_import() for _ in range(3)]
    heavy = sorted({m for _, loaded in imports for m in loaded})

    from tests.fakes.slack_api import FakeSlackAPI
    from tests.slack_events import SIGNING_SECRET, command_event, lambda_context

    with FakeSlackAPI() as slack, tempfile.TemporaryDirectory() as tmp:
        os.environ |= {
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_API_BASE_URL": slack.base_url,
            "HEADLINES_DB": str(Path(tmp) / "bench.db"),
        }
        from headlines.handlers import slack as slack_handler

        t = time.perf_counter()
        first = slack_handler.handler(command_event("help"), lambda_context())
        first_ms = (time.perf_counter() - t) * 1000
        assert first["statusCode"] == 200, first
        rows = []
        for text in ("help", "subscribe FR, Germany", "latest France"):
            events = [command_event(text, response_url=slack.response_url("bench")) for _ in range(args.requests)]
            times = []
            for event in events:
                t = time.perf_counter()
                response = slack_handler.handler(event, lambda_context())
                times.append((time.perf_counter() - t) * 1000)
                assert response["statusCode"] == 200, response
            rows.append((text, times))
        time.sleep(0.5)  # let queued `latest` jobs finish before the fake stops

    print(
        f"cold import of headlines.handlers.slack: {statistics.median(t for t, _ in imports) * 1000:.0f} ms "
        f"(median of 3 fresh interpreters); model libraries loaded: {heavy or 'none'}"
    )
    print(f"first request (builds the app, Bolt's one auth.test): {first_ms:.1f} ms")
    print(f"\nwarm acks, {args.requests} signed requests each, in process:")
    print(f"{'command':<36}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for text, times in rows:
        print(f"/headlines {text:<25}{statistics.median(times):>9.2f}{percentile(times, 0.95):>9.2f}{max(times):>9.2f}")
    help_times = rows[0][1]
    summary = {"help_p50_ms": statistics.median(help_times), "help_p95_ms": percentile(help_times, 0.95)}
    print(json.dumps({k: round(v, 2) for k, v in summary.items()}))


if __name__ == "__main__":
    main()
