"""The sentence encoder on ONNX Runtime and `tokenizers` only: no torch, no transformers.

A Lambda cold start pays for every import; torch + transformers cost seconds and hundreds of MB,
onnxruntime + tokenizers a fraction of that. The model directory is written at build time by
`headlines model export` (see `headlines.model_export`); pooling and normalisation match
`TransformersEncoder`, so the two are interchangeable behind `SentenceEncoder`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from headlines.encoder import ModelError

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
ONNX_REQUIRED_FILES = (MODEL_FILE, TOKENIZER_FILE, MANIFEST_FILE)

# Where a container image bundles the exported model (infra/Dockerfile); used when present
# and HEADLINES_ONNX_DIR is not set.
BUNDLED_ONNX_DIR = Path("/opt/model-onnx")

# Cap on batch x tokens^2 per inference call: 32 texts of 128 tokens, or 8 of 256.
ATTENTION_BUDGET = 32 * 128 * 128


def check_onnx_dir(path: Path) -> Path:
    """Fail early, naming the path and the fix, when an ONNX model directory is missing or incomplete."""
    path = Path(path).expanduser()
    fix = "run `headlines model export --output DIR` (needs torch) and point HEADLINES_ONNX_DIR at DIR"
    if not path.is_dir():
        raise ModelError(f"ONNX model directory {path} does not exist; {fix}")
    missing = [name for name in ONNX_REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ModelError(f"ONNX model directory {path} is incomplete: missing {', '.join(missing)}; {fix}")
    return path


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

    def __init__(
        self, model_dir: Path, *, threads: int | None = None, max_length: int | None = None, spin: bool = False
    ) -> None:
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

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        if not spin:
            # Idle threads sleep instead of busy-waiting between ops: on shared or fractional vCPUs
            # (Lambda below ~1.8 GB, a busy CI box) spinning measured 1.2-1.7x slower, and the cold
            # start 15% slower; pass spin=True on a dedicated multi-core machine.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(
                str(self.model_dir / MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise ModelError(f"cannot load {self.model_dir / MODEL_FILE}: {exc}; re-run `headlines model export`") from exc
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.dim = int(self.manifest["dim"])
        self.precision = str(self.manifest.get("precision", "fp32"))
        self.name = f"onnx-{self.precision}:{self.manifest.get('source', self.model_dir.name)}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        for idx in self._batches([len(e.ids) for e in encodings], batch_size):
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
        return out

    @staticmethod
    def _batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
        """Indices grouped by token length (little padding), capped by the attention matrix size.

        Attention memory grows with batch x length^2: 32 texts of 256 tokens need ~100 MB per layer's
        scores, which is what pushed peak RSS up; long texts therefore go in smaller batches.
        """
        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            width = max(lengths[i], 1)
            if current and (len(current) >= batch_size or (len(current) + 1) * width * width > ATTENTION_BUDGET):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches
