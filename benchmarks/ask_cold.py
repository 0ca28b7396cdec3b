"""The first answer of a cold `headlines ask` process, ONNX int8 against the torch encoder, in the same run.

    HEADLINES_ONNX_DIR=DIR python benchmarks/ask_cold.py [--runs 3]

Each encoder gets its own scratch database holding the bundled sample stories (`headlines ingest`, embedded
with that encoder: vectors of one model are refused by another). Then fresh processes of
`headlines ask --json "What did Macron say about Russia?"` alternate between the two, so load on the machine
hits each alike; figures are medians of wall time per process (interpreter start, imports, model load, index
build, answer). Target (issue 18): under 3 s for the worker's encoder (ONNX int8).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ratio_table import print_ratio_table

QUESTION = "What did Macron say about Russia?"
SAMPLES = Path(__file__).resolve().parents[1] / "functions" / "headlines" / "samples" / "articles.jsonl"


def run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k != "HEADLINES_DB"} | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="headlines-bench-") as tmp:
        envs = {
            "ONNX int8": base | {"HEADLINES_ENCODER": "onnx", "HEADLINES_DB": str(Path(tmp) / "onnx.db")},
            "torch (transformers)": base | {"HEADLINES_ENCODER": "transformers", "HEADLINES_DB": str(Path(tmp) / "torch.db")},
        }
        for env in envs.values():
            run([py, "-m", "headlines", "ingest", "--input", str(SAMPLES)], env | {"HEADLINES_EMBED": "true"})
        times: dict[str, list[float]] = {name: [] for name in envs}
        firsts: dict[str, str] = {}
        for _ in range(args.runs):
            for name, env in envs.items():
                elapsed, out = run([py, "-m", "headlines", "ask", "--json", QUESTION], env)
                times[name].append(elapsed)
                firsts[name] = json.loads(out.splitlines()[0])["sources"][0]["id"]
    print(f"cold `headlines ask --json {QUESTION!r}`, {args.runs} runs each, alternating, {os.cpu_count()} CPUs")
    print_ratio_table(times, "torch (transformers)", label="encoder", ratio="x torch", notes=firsts, notes_label="first source")


if __name__ == "__main__":
    main()
