"""A cold `headlines process` of one article on a user's machine, against a bare `import torch`, in the same run.

After `make demo` the int8 ONNX export sits in the user data directory and HEADLINES_ENCODER=auto runs on it:
the process never imports torch. The target (issue 14) is at most 0.5x the time of a bare `import torch`; the
torch path (`HEADLINES_ENCODER=transformers`) is measured too, for reference. Runs alternate between the three
commands so load on the machine hits each alike; figures are medians of wall time per fresh process.

    python benchmarks/cold_process.py [--runs 7] [--data-home DIR]

Without --data-home it uses the user data directory as is (exporting the model there first if absent, as
`make demo` does); with it, XDG_DATA_HOME=DIR (Linux) for every process.
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


def timed(command: list[str], env: dict[str, str], stdin: str = "") -> float:
    start = time.perf_counter()
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=600)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-home", type=Path, help="XDG_DATA_HOME for every process (default: the user's)")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")}
    env |= {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if args.data_home:
        env["XDG_DATA_HOME"] = str(args.data_home)
    py = sys.executable
    export = subprocess.run(
        [py, "-m", "headlines", "model", "export", "--int8", "--skip-existing"], capture_output=True, text=True, env=env
    )
    if export.returncode != 0:
        raise SystemExit(f"the ONNX export failed:\n{export.stderr[-2000:]}")

    from headlines.samples import load_samples

    article = load_samples()[0]
    line = json.dumps({"id": article.id, "title": article.title, "body": article.body}) + "\n"
    with tempfile.TemporaryDirectory(prefix="headlines-bench-") as tmp:
        env["HEADLINES_DB"] = str(Path(tmp) / "bench.db")
        check = subprocess.run(
            [py, "-c", "import sys; from headlines.container import get_encoder; print(get_encoder().name)"],
            capture_output=True,
            text=True,
            env=env,
        )
        commands = {
            "import torch (bare)": ([py, "-c", "import torch"], env, ""),
            "headlines process, auto (ONNX int8)": ([py, "-m", "headlines", "process"], env, line),
            "headlines process, transformers (torch)": (
                [py, "-m", "headlines", "process"],
                env | {"HEADLINES_ENCODER": "transformers"},
                line,
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command, e, stdin in commands.values():  # warm the file cache once
            timed(command, e, stdin)
        for _ in range(args.runs):
            for name, (command, e, stdin) in commands.items():
                times[name].append(timed(command, e, stdin))

    print(f"encoder under auto: {check.stdout.strip()}; {args.runs} runs each, {os.cpu_count()} CPUs")
    print_ratio_table(times, "import torch (bare)", label="what", ratio="x import torch")


if __name__ == "__main__":
    main()
