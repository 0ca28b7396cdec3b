"""Torch fp32 vs ONNX Runtime fp32 vs ONNX Runtime int8: cold start, throughput, memory, quality.

    .venv/bin/python benchmarks/model_paths.py            # from the repository root

For each encoder path (selected per child process by HEADLINES_ENCODER / HEADLINES_ONNX_DIR):
- cold start: wall time of a FRESH process from exec to its first processed article (interpreter
  start + imports + model load + analyze one BBC article), median of --repeats, next to a bare
  `python -c "import torch"` timed in the same run, interleaved with the paths;
- warm throughput: articles/s through `Pipeline.analyze` on --articles BBC articles after one warm-up,
  best of --rounds interleaved rounds;
- peak RSS of that process (resource.getrusage ru_maxrss), the largest over the rounds;
- quality: `headlines eval summaries|countries|retrieval --json` on subsets of the dev data, run as
  subprocesses with the path's environment ("n/a" where a command is not available).

Children run with HEADLINES_SUMMARIZER=model (unless set; lead where that is unavailable). If the
configured pipeline does not use the sentence encoder itself (e.g. the lead summarizer),
each article's sentences are also embedded, as the retrieval index does, so every path does the
encoder's work; the "encoder work" line of the output says which happened.
The ONNX exports are made once (needs torch) and cached under the user cache directory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
BBC = DATA / "bbc-summary-dev.jsonl"
REUTERS = DATA / "reuters21578-train.jsonl"
PLACES = DATA / "reuters-places-iso2.json"
PATHS = ("torch fp32", "onnx fp32", "onnx int8")


# --------------------------------------------------------------------------- child side


def _load_articles(path: Path, limit: int) -> list[Any]:
    from headlines.models import Article

    articles = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if len(articles) >= limit:
                break
            record = json.loads(line)
            articles.append(Article.model_validate({k: v for k, v in record.items() if k != "reference"}))
    return articles


def _child(mode: str, data: Path, limit: int) -> None:
    """Runs in a fresh process: load, process the first article, then (warm) time the rest."""
    from headlines import container
    from headlines.text import clean_text, split_sentences

    articles = _load_articles(data, 1 if mode == "cold" else limit + 1)
    try:
        pipeline = container.build_pipeline()
    except ValueError:  # HEADLINES_SUMMARIZER=model not available in this version: the lead baseline
        os.environ["HEADLINES_SUMMARIZER"] = "lead"
        container.reset_caches()
        pipeline = container.build_pipeline()

    def encoder_loaded() -> bool:
        caches = [getattr(container, n) for n in ("_cached_encoder", "_cached_onnx_encoder") if hasattr(container, n)]
        return any(c.cache_info().currsize for c in caches)

    pipeline.analyze(articles[0])
    explicit = not encoder_loaded()

    def process(article: Any) -> None:
        pipeline.analyze(article)
        if explicit:
            container.get_encoder().encode(split_sentences(clean_text(article.body)))

    if explicit:
        container.get_encoder().encode(split_sentences(clean_text(articles[0].body)))
    result: dict[str, Any] = {
        "encoder": container.get_encoder().name,
        "work": "embed sentences after analyze" if explicit else "pipeline",
        "summarizer": pipeline.summarizer.name,
    }
    if mode == "warm":
        rest = articles[1:]
        start = time.perf_counter()
        for article in rest:
            process(article)
        result["articles_per_s"] = len(rest) / (time.perf_counter() - start)
        result["n"] = len(rest)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["torch_loaded"] = "torch" in sys.modules
    print(json.dumps(result))


# --------------------------------------------------------------------------- parent side


def _path_env(path: str, dirs: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_ENCODER") and k != "HEADLINES_ONNX_DIR"}
    env |= {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO / "functions")}
    # The summarizer that uses the sentence encoder, so the paths differ where it matters.
    env.setdefault("HEADLINES_SUMMARIZER", "model")
    env["PYTHONPATH"] += os.pathsep + os.environ.get("PYTHONPATH", "")
    if path == "torch fp32":
        env["HEADLINES_ENCODER"] = "transformers"
    else:
        env["HEADLINES_ENCODER"] = "onnx"
        env["HEADLINES_ONNX_DIR"] = str(dirs[path])
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stdout). CPU time is what other load on the machine disturbs least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu, proc.stdout


def _child_cmd(mode: str, data: Path, limit: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--data", str(data), "--articles", str(limit)]


def _ensure_exports(cache: Path) -> dict[str, Path]:
    """Export fp32 and int8 once (torch, in a subprocess so this process stays light); reuse afterwards."""
    dirs = {"onnx fp32": cache / "onnx-fp32", "onnx int8": cache / "onnx-int8"}
    for path, out in dirs.items():
        if (out / "manifest.json").is_file() and "check" in json.loads((out / "manifest.json").read_text()):
            continue
        cmd = [sys.executable, "-m", "headlines", "model", "export", "--output", str(out)]
        cmd += ["--int8"] if path.endswith("int8") else []
        print(f"exporting {path} to {out} ...", file=sys.stderr)
        _timed(cmd, _path_env("torch fp32", dirs))
    return dirs


def _subset(src: Path, n: int, tmp: Path) -> Path:
    out = tmp / f"{src.stem}-{n}.jsonl"
    with src.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(fh):
            if i >= n:
                break
            dst.write(line)
    return out


def _norm(key: Any) -> str:
    return "".join(ch for ch in str(key).lower() if ch.isalnum())


def _first_number(node: Any, keys: tuple[str, ...]) -> float | None:
    """Depth-first: the first numeric value under one of `keys` (compared case/punctuation-blind)."""
    wanted = {_norm(k) for k in keys}
    if isinstance(node, dict):
        for k, v in node.items():
            if _norm(k) in wanted and isinstance(v, int | float) and not isinstance(v, bool):
                return float(v)
        children = list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _first_number(child, keys)
        if found is not None:
            return found
    return None


def _system_metric(report: Any, keys: tuple[str, ...]) -> float | None:
    """The product system's metric from an eval command's --json.

    Each command lists the system first and its baselines after it: {"results": [system, ...]}
    (retrieval), {"systems": {"gazetteer": {...}, ...}} (countries); a "system" entry wins if present.
    """
    if isinstance(report, dict):
        for name in ("system", "results", "systems", "rows"):
            node = report.get(name)
            if isinstance(node, list) and node:
                node = node[0]
            elif isinstance(node, dict) and node and all(isinstance(v, dict) for v in node.values()) and name != "system":
                node = next(iter(node.values()))
            found = _first_number(node, keys) if node is not None else None
            if found is not None:
                return found
    return _first_number(report, keys)


def _parse_json(stdout: str) -> Any:
    text = stdout.strip()
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(text.splitlines()[-1]) if text else None


def _quality(path: str, dirs: dict[str, Path], args: argparse.Namespace, tmp: Path) -> dict[str, str]:
    n = args.eval_articles
    evals = {
        "ROUGE-2 (summaries)": (
            ["summaries", "--data", str(_subset(BBC, n, tmp)), "--sentences", "3"],
            ("rouge2", "rouge-2", "rouge_2"),
        ),
        "country micro-F1": (
            ["countries", "--data", str(REUTERS), "--places-map", str(PLACES), "--limit", str(n)],
            ("micro_f1", "microf1"),
        ),
        "Recall@1 (retrieval)": (
            ["retrieval", "--data", str(REUTERS), "--limit", str(n), "--questions", str(max(10, n // 3))],
            ("recall_at_1", "recall@1", "r@1"),
        ),
    }
    env = _path_env(path, dirs)
    out: dict[str, str] = {}
    for column, (cmd, keys) in evals.items():
        base = [sys.executable, "-m", "headlines", "eval"]
        if args.skip_quality or subprocess.run([*base, cmd[0], "--help"], env=env, capture_output=True).returncode != 0:
            out[column] = "n/a"
            continue
        proc = subprocess.run([*base, *cmd, "--json"], env=env, capture_output=True, text=True, timeout=3600)
        value = None
        if proc.returncode == 0:
            try:
                value = _system_metric(_parse_json(proc.stdout), keys)
            except ValueError:
                value = None
        if value is None:
            print(f"{path} {column}: no metric read (exit {proc.returncode}): {proc.stderr[-800:]}", file=sys.stderr)
        out[column] = "n/a" if value is None else f"{value * 100 if value <= 1 else value:.1f}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=BBC, help="BBC JSON Lines for cold start and throughput")
    parser.add_argument("--articles", type=int, default=100, help="articles for warm throughput")
    parser.add_argument("--repeats", type=int, default=5, help="cold starts per path (median)")
    parser.add_argument("--rounds", type=int, default=3, help="warm throughput rounds per path (best)")
    parser.add_argument("--eval-articles", type=int, default=300, help="records per quality evaluation (subset)")
    parser.add_argument("--skip-quality", action="store_true", help="only speed and memory")
    parser.add_argument("--cache", type=Path, default=None, help="where the ONNX exports are kept")
    parser.add_argument("--child", choices=("cold", "warm"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.data, args.articles)
        return
    if not args.data.is_file():
        raise SystemExit(f"{args.data} not found: this benchmark reads ../shared/data (see ../shared/README.md)")

    from platformdirs import user_cache_path

    dirs = _ensure_exports(args.cache or user_cache_path("headlines", appauthor=False) / "bench-model-paths")
    load_before = os.getloadavg()

    # Cold starts: one discarded run of each first (same page-cache state for all), then
    # interleave the bare import and the three paths so machine load hits them alike.
    bare = [sys.executable, "-c", "import torch"]
    base_env = _path_env("torch fp32", dirs)
    cold: dict[str, list[float]] = {p: [] for p in ("import torch", *PATHS)}
    cold_cpu: dict[str, list[float]] = {p: [] for p in cold}
    info: dict[str, dict[str, Any]] = {}
    for rep in range(args.repeats + 1):
        for p in cold:
            if p == "import torch":
                elapsed, cpu, _ = _timed(bare, base_env)
            else:
                elapsed, cpu, stdout = _timed(_child_cmd("cold", args.data, 1), _path_env(p, dirs))
                info.setdefault(p, {}).update(cold=json.loads(stdout.splitlines()[-1]))
            if rep:
                cold[p].append(elapsed)
                cold_cpu[p].append(cpu)
    # Warm throughput: the paths interleaved for --repeats rounds; best round each (least disturbed
    # by other work on the machine), peak RSS the largest seen.
    for _ in range(args.rounds):
        for p in PATHS:
            _, _, stdout = _timed(_child_cmd("warm", args.data, args.articles), _path_env(p, dirs))
            run = json.loads(stdout.splitlines()[-1])
            best = info[p].get("warm")
            if best is None or run["articles_per_s"] > best["articles_per_s"]:
                info[p]["warm"] = run | {"peak_rss_mb": max(run["peak_rss_mb"], (best or run)["peak_rss_mb"])}
            else:
                best["peak_rss_mb"] = max(best["peak_rss_mb"], run["peak_rss_mb"])

    with tempfile.TemporaryDirectory(prefix="headlines-bench-") as tmp:
        quality = {p: _quality(p, dirs, args, Path(tmp)) for p in PATHS}
    load_after = os.getloadavg()

    torch_import = statistics.median(cold["import torch"])
    torch_import_cpu = statistics.median(cold_cpu["import torch"])
    torch_tput = info["torch fp32"]["warm"]["articles_per_s"]
    qcols = list(next(iter(quality.values())))
    head = ["path", "cold start to 1st article (s)", "÷ bare import torch", "cold CPU s (÷ import torch)"]
    head += ["warm articles/s", "× torch", "peak RSS (MB)", *qcols]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    print(f"| bare `import torch` | {torch_import:.2f} | 1.00 | {torch_import_cpu:.2f} (1.00) |  |  |  |" + " |" * len(qcols))
    for p in PATHS:
        c = statistics.median(cold[p])
        w = info[p]["warm"]
        cpu = statistics.median(cold_cpu[p])
        row = [p, f"{c:.2f}", f"{c / torch_import:.2f}", f"{cpu:.2f} ({cpu / torch_import_cpu:.2f})"]
        row += [f"{w['articles_per_s']:.1f}", f"{w['articles_per_s'] / torch_tput:.2f}"]
        row += [f"{w['peak_rss_mb']:.0f}", *quality[p].values()]
        print("| " + " | ".join(row) + " |")
    print()
    print(
        f"cold start: median of {args.repeats} fresh processes each (all runs, s): "
        + "; ".join(f"{p} {', '.join(f'{x:.2f}' for x in v)}" for p, v in cold.items())
    )
    print(
        f"throughput: best of {args.rounds} rounds, {info['torch fp32']['warm']['n']} articles of {args.data.name} "
        "through Pipeline.analyze; "
        f"summarizer: {info['torch fp32']['warm']['summarizer']}; encoder work: {info['torch fp32']['warm']['work']}"
    )
    n = args.eval_articles
    print(
        f"quality: summaries on the first {n} BBC articles at 3 sentences; countries on the first {n} Reuters stories; "
        f"retrieval over {n} Reuters stories with {max(10, n // 3)} title questions (points = x100)"
    )
    print(
        "encoders: "
        + "; ".join(f"{p} = {info[p]['warm']['encoder']} (torch imported: {info[p]['warm']['torch_loaded']})" for p in PATHS)
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")


if __name__ == "__main__":
    main()
