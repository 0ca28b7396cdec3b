"""Cold start of the Slack function as deployed: a FRESH process imports the handler and answers its first request.

What Lambda runs on a cold start before Slack's 3-second deadline: the interpreter, `import
headlines.handlers.slack`, then the first request (secrets read from SSM, Bolt built, the request's signature
checked, the store and queue clients made, the job queued on SQS, the 200 returned). AWS is a local moto server
(DynamoDB, SQS, SSM made from template.yaml), Slack the local fake (Bolt's one `auth.test`). Each child reports
its CPU seconds (user + system, getrusage) and wall time per phase; the baseline is a bare `python -c pass`
timed in the same run, interleaved. Medians of --repeats.

    PYTHONPATH=functions:. .venv/bin/python benchmarks/slack_cold_start.py [--repeats 7]

Lambda gives a function CPU in proportion to its memory (one full vCPU at 1769 MB), so the CPU-bound part of a
cold start takes about cpu_seconds x 1769 / memory_mb there; the "at N MB" lines are that estimate (network time
to DynamoDB/SQS/SSM comes on top; Lambda's own init of the runtime comes before).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "functions"), str(REPO)]
FULL_VCPU_MB = 1769

CHILD = r"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c0, t0 = cpu(), time.perf_counter()
import headlines.handlers.slack as slack
c1, t1 = cpu(), time.perf_counter()
from tests.slack_events import command_event, lambda_context
event = command_event(sys.argv[1], response_url=sys.argv[2])
c2, t2 = cpu(), time.perf_counter()
answer = slack.handler(event, lambda_context())
c3, t3 = cpu(), time.perf_counter()
heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'onnxruntime', 'spacy'))
print(json.dumps({"status": answer["statusCode"], "start_cpu": c0, "import_cpu": c1 - c0, "import_wall": t1 - t0,
                  "request_cpu": c3 - c2, "request_wall": t3 - t2, "total_cpu": c3, "heavy": heavy}))
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def baseline(env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of `python -c pass` (interpreter start and exit)."""
    c, t = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    return time.perf_counter() - t, _children_cpu() - c


def cold(env: dict[str, str], response_url: str) -> dict[str, float]:
    c, t = _children_cpu(), time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, "latest", response_url], env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t, _children_cpu() - c
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["status"] == 200 and not got["heavy"], got
    return {**got, "process_wall": wall, "process_cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    import logging

    from moto.server import ThreadedMotoServer
    from tests.aws_local import create_stack, queue_bodies
    from tests.fakes.slack_api import FakeSlackAPI
    from tests.slack_events import SIGNING_SECRET

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    aws_env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    os.environ.update(aws_env)
    stack = create_stack()
    ssm = stack.client("ssm")
    params = {
        "HEADLINES_SLACK_BOT_TOKEN_PARAM": "/" + stack.parameters["SlackBotTokenParameter"],
        "HEADLINES_SLACK_SIGNING_SECRET_PARAM": "/" + stack.parameters["SlackSigningSecretParameter"],
    }
    ssm.put_parameter(Name=params["HEADLINES_SLACK_BOT_TOKEN_PARAM"], Value="xoxb-bench", Type="SecureString")
    ssm.put_parameter(Name=params["HEADLINES_SLACK_SIGNING_SECRET_PARAM"], Value=SIGNING_SECRET, Type="SecureString")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("HEADLINES_", "SLACK_"))}
    bare: list[tuple[float, float]] = []
    runs: list[dict[str, float]] = []
    with FakeSlackAPI() as fake:
        env = {
            **base_env,
            **aws_env,
            **stack.env(),
            **params,
            "SLACK_API_BASE_URL": fake.base_url,
            "PYTHONPATH": f"{REPO / 'functions'}{os.pathsep}{REPO}",
            "AWS_LAMBDA_FUNCTION_NAME": "headlines-slack",
        }
        baseline(env)  # warm the page cache for both
        cold(env, fake.response_url("warm"))
        for i in range(args.repeats):
            bare.append(baseline(env))
            runs.append(cold(env, fake.response_url(f"r{i}")))
    queued = len(queue_bodies(stack.queue_url))
    server.stop()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    bare_wall, bare_cpu = statistics.median(b[0] for b in bare), statistics.median(b[1] for b in bare)
    print(
        f"Slack function cold start, fresh process, median of {args.repeats} (python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs); {queued} jobs reached SQS"
    )
    print(f"  baseline `python -c pass`:      wall {bare_wall:.3f} s   CPU {bare_cpu:.3f} s")
    print(f"  import headlines.handlers.slack: wall {med('import_wall'):.3f} s   CPU {med('import_cpu'):.3f} s")
    print(f"  first request (SSM, Bolt, SQS):  wall {med('request_wall'):.3f} s   CPU {med('request_cpu'):.3f} s")
    print(
        f"  whole process:                   wall {med('process_wall'):.3f} s   CPU {med('process_cpu'):.3f} s   "
        f"= {med('process_wall') / bare_wall:.1f}x wall, {med('process_cpu') / bare_cpu:.1f}x CPU of the baseline"
    )
    work = med("import_cpu") + med("request_cpu")
    print(f"  import + first request CPU: {work:.3f} s; estimated on Lambda (CPU share = memory / {FULL_VCPU_MB} MB):")
    for mb in (512, 1024, 1536, 1769, 3008):
        print(f"    at {mb:>4} MB: {work * max(1.0, FULL_VCPU_MB / mb):.2f} s")


if __name__ == "__main__":
    main()
