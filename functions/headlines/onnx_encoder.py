"""The sentence encoder on ONNX Runtime and `tokenizers` only: no torch, no transformers.

A Lambda cold start pays for every import; torch + transformers cost seconds and hundreds of MB,
onnxruntime + tokenizers a fraction of that. The model directory is written at build time by
`headlines model export` (see `headlines.model_export`); pooling and normalisation match
`TransformersEncoder`, so the two are interchangeable behind `SentenceEncoder`.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from headlines.encoder import ModelError, check_model_dir

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
ONNX_REQUIRED_FILES = (MODEL_FILE, TOKENIZER_FILE, MANIFEST_FILE)

# Where a container image bundles the exported model (infra/Dockerfile); used when present
# and HEADLINES_ONNX_DIR is not set.
BUNDLED_ONNX_DIR = Path("/opt/model-onnx")


def user_onnx_dir() -> Path:
    """Where `headlines model export` (and `make demo`) writes the default model's export on a user's machine,
    so that later runs find it (`HEADLINES_ENCODER=auto`) and never import torch."""
    from platformdirs import user_data_path

    return user_data_path("headlines", appauthor=False) / "models" / "all-MiniLM-L6-v2-onnx"


def is_checked_export(path: Path, source: str | None = None) -> bool:
    """True when `path` holds a complete export whose check against torch passed (the manifest's "check" is
    written last, so an interrupted export is not picked up), of the model `source` when given."""
    try:
        check_onnx_dir(path)
        manifest = read_manifest(path)
    except ModelError:
        return False
    check = manifest.get("check")
    if not isinstance(check, dict) or not isinstance(check.get("min_cosine"), int | float):
        return False
    if source is not None and manifest.get("source") != source:
        return False
    threshold = manifest.get("threshold", 0.97 if manifest.get("precision") == "int8" else 0.999)
    return float(check["min_cosine"]) >= float(threshold)


TOKENS_PER_CALL = 128
"""Padded tokens per inference call (about four news sentences). Many small calls spread over
`threads` beat few large ones on int8 CPU kernels: at 1 thread a 600-word article encodes in 72 ms in
calls of ~4 sentences vs 83 ms in calls of 8; with 2 threads run side by side, 1.7x the articles/s of
one call using 2 intra-op threads (benchmarks/summarize_speed.py, benchmarks/model_paths.py)."""


def check_onnx_dir(path: Path) -> Path:
    """Fail early, naming the path and the fix, when an ONNX model directory is missing or incomplete."""
    fix = "run `headlines model export --output DIR` (needs torch) and point HEADLINES_ONNX_DIR at DIR"
    return check_model_dir(path, ONNX_REQUIRED_FILES, kind="ONNX model directory", fix=fix)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {path / MANIFEST_FILE}: {exc}; re-run `headlines model export`") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("dim"), int):
        raise ModelError(f"{path / MANIFEST_FILE} has no integer 'dim'; re-run `headlines model export`")
    return manifest


class OnnxEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from an exported ONNX model (CPU)."""

    def __init__(self, model_dir: Path, *, threads: int | None = None, max_length: int | None = None) -> None:
        self.model_dir = check_onnx_dir(model_dir)
        self.manifest = read_manifest(self.model_dir)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are package dependencies
            raise ModelError(f"the ONNX path needs onnxruntime and tokenizers ({exc}): pip install them") from exc

        self.max_length = int(max_length or self.manifest.get("max_length", 256))
        try:
            self.tokenizer = Tokenizer.from_file(str(self.model_dir / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise ModelError(f"cannot load {self.model_dir / TOKENIZER_FILE}: {exc}") from exc
        # The saved tokenizer pads to a fixed 128 and truncates at 128: truncate where the
        # transformers path does (so both see the same tokens) and pad per batch in encode().
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id(str(self.manifest.get("pad_token", "[PAD]"))) or 0

        # Parallelism across inference calls, not inside them: each call runs on one thread
        # (no intra-op pool, so no spinning threads on fractional Lambda vCPUs) and `threads`
        # calls run side by side (InferenceSession.run is thread-safe and releases the GIL).
        self.threads = int(threads or available_cpus())
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(
                str(self.model_dir / MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise ModelError(f"cannot load {self.model_dir / MODEL_FILE}: {exc}; re-run `headlines model export`") from exc
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.dim = int(self.manifest["dim"])
        self.precision = str(self.manifest.get("precision", "fp32"))
        self.name = f"onnx-{self.precision}:{self.manifest.get('source', self.model_dir.name)}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))

        def run(idx: list[int]) -> None:
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            types = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
                types[row, :n] = encodings[i].type_ids
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = types
            hidden = self.session.run(["last_hidden_state"], feed)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)

        batches = self._batches([len(e.ids) for e in encodings], batch_size)
        if self.threads > 1 and len(batches) > 1:
            list(self._executor().map(run, batches))  # list(): re-raises a failed call's exception
        else:
            for idx in batches:
                run(idx)
        return out

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="headlines-onnx")
            return self._pool

    @staticmethod
    def _batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
        """Indices grouped by token length (little padding), at most `batch_size` texts and
        `TOKENS_PER_CALL` padded tokens per call (a longer text goes alone)."""
        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            width = max(lengths[i], 1)
            if current and (len(current) >= batch_size or (len(current) + 1) * width > TOKENS_PER_CALL):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches


def available_cpus() -> int:
    """CPUs this process may run on (honours taskset/cgroup affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
