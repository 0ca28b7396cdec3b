"""The torch-free ONNX path: real exports of the bundled model, compared with the torch encoder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from headlines.encoder import ModelError, TransformersEncoder
from headlines.model_export import MIN_COSINE_INT8, check_export, export_model
from headlines.onnx_encoder import BUNDLED_ONNX_DIR, OnnxEncoder
from headlines.settings import Settings

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
def int8_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Exported the way a user does it: the CLI in a fresh process."""
    out = tmp_path_factory.mktemp("onnx-int8")
    result = subprocess.run(
        [sys.executable, "-m", "headlines", "model", "export", "--output", str(out), "--int8"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "cosine vs torch mean" in result.stdout and "min" in result.stdout
    return out


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


@pytest.mark.model
def test_onnx_path_never_imports_torch_or_transformers(int8_dir: Path) -> None:
    code = """
import json, sys
from headlines.container import build_pipeline, get_encoder
from headlines.samples import load_samples
encoder = get_encoder()
build_pipeline().analyze(load_samples()[0])
vectors = encoder.encode(["one sentence", "and another"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers"))
print(json.dumps({"type": type(encoder).__name__, "shape": list(vectors.shape), "heavy": heavy}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")}
    env |= {"HEADLINES_ONNX_DIR": str(int8_dir), "HEADLINES_DB": os.environ["HEADLINES_DB"]}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen == {"type": "OnnxEncoder", "shape": [2, 384], "heavy": []}


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


def test_batches_keep_order_free_groups_under_the_attention_budget() -> None:
    from headlines.onnx_encoder import ATTENTION_BUDGET

    lengths = [256] * 20 + [10] * 50 + [128] * 5
    batches = OnnxEncoder._batches(lengths, 32)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        width = max(lengths[i] for i in batch)
        assert len(batch) <= 32 and (len(batch) == 1 or len(batch) * width * width <= ATTENTION_BUDGET)
    assert max(len(b) for b in batches if lengths[b[0]] == 256) == ATTENTION_BUDGET // (256 * 256)
