"""Export the sentence encoder to ONNX (build time, needs torch), optionally int8, and check it.

The check compares embeddings from the exported model with the torch model on real sentences
(the bundled sample articles) and fails the export when they drift: a quantized model that
quietly changes retrieval or summaries is worse than a slow one.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from headlines.encoder import ModelError, TransformersEncoder, check_model_dir, default_model_dir
from headlines.errors import UpstreamPermanentError
from headlines.onnx_encoder import MANIFEST_FILE, MODEL_FILE, TOKENIZER_FILE, OnnxEncoder

# Minimum per-sentence cosine (exported vs torch) on the check sentences. fp32 differs only by
# float rounding (measured min 0.99999). int8 with per-channel weight scales measured mean 0.992,
# min 0.987 on 200 sample sentences; per-tensor scales (onnxruntime's default) gave min 0.93.
MIN_COSINE_FP32 = 0.999
MIN_COSINE_INT8 = 0.97
DEFAULT_OPSET = 17
CHECK_SENTENCES = 64


class ModelExportError(UpstreamPermanentError):
    """The export failed or its embeddings drifted too far from the torch model."""


@dataclass(frozen=True)
class ExportReport:
    output: Path
    precision: str
    sentences: int
    mean_cosine: float
    min_cosine: float
    threshold: float
    size_mb: float

    @property
    def passed(self) -> bool:
        return self.min_cosine >= self.threshold


def sample_sentences(limit: int = CHECK_SENTENCES) -> list[str]:
    """Real sentences for the check: titles and body sentences of the bundled sample articles."""
    from headlines.samples import load_samples
    from headlines.text import clean_text, split_sentences

    sentences: list[str] = []
    for article in load_samples():
        if article.title:
            sentences.append(article.title)
        sentences.extend(split_sentences(clean_text(article.body)))
    # Spread the picks over all articles rather than taking the first article's sentences.
    step = max(1, len(sentences) // limit)
    return sentences[::step][:limit]


def _export_fp32(encoder: TransformersEncoder, path: Path, opset: int) -> None:
    import torch

    class _Hidden(torch.nn.Module):
        """Returns only last_hidden_state, so the graph has one named output."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    texts = ["a short sentence", "a somewhat longer second sentence to pad"]
    sample = encoder.tokenizer(texts, padding=True, return_tensors="pt")
    args = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
    names = ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")
    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    # The tracer warns about Python control flow it folds for these fixed-rank inputs; the
    # cosine check below is what tells whether the graph is right.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Hidden(encoder.model).eval(),
            args,
            str(path),
            input_names=list(names[:3]),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False,  # the TorchScript exporter: no onnxscript needed, dynamic axes as declared
        )


def _quantize_int8(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel scales keep int8 within ~1% of fp32 (see MIN_COSINE_INT8); per-tensor drifts ~4-7%.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # silence the "consider pre-processing" advice: measured, no gain here
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


def check_export(
    output: Path, reference: TransformersEncoder, sentences: Sequence[str], threshold: float, precision: str
) -> ExportReport:
    """Cosine of each sentence's exported embedding with its torch embedding (both are unit vectors)."""
    import numpy as np

    onnx_vectors = OnnxEncoder(output).encode(sentences)
    torch_vectors = reference.encode(sentences)
    cosines = np.sum(onnx_vectors * torch_vectors, axis=1)
    size = (output / MODEL_FILE).stat().st_size / 1e6
    return ExportReport(output, precision, len(sentences), float(cosines.mean()), float(cosines.min()), threshold, size)


def export_model(
    output: Path,
    *,
    int8: bool = False,
    model_dir: Path | None = None,
    opset: int = DEFAULT_OPSET,
    min_cosine: float | None = None,
    sentences: Sequence[str] | None = None,
) -> ExportReport:
    """Write model.onnx, tokenizer.json and manifest.json to `output`, then check them against torch.

    Raises ModelExportError (leaving the files for inspection) when the minimum cosine is below
    `min_cosine` (default MIN_COSINE_FP32 or MIN_COSINE_INT8).
    """
    source = check_model_dir(model_dir or default_model_dir(), required=("config.json", TOKENIZER_FILE))
    output = Path(output).expanduser()
    output.mkdir(parents=True, exist_ok=True)
    # A re-export must not look checked while it rewrites model.onnx (HEADLINES_ENCODER=auto reads the check).
    (output / MANIFEST_FILE).unlink(missing_ok=True)
    reference = TransformersEncoder(source)
    precision = "int8" if int8 else "fp32"
    threshold = min_cosine if min_cosine is not None else (MIN_COSINE_INT8 if int8 else MIN_COSINE_FP32)
    try:
        with tempfile.TemporaryDirectory(prefix="headlines-export-") as tmp:
            fp32 = Path(tmp) / MODEL_FILE
            _export_fp32(reference, fp32, opset)
            if int8:
                _quantize_int8(fp32, output / MODEL_FILE)
            else:
                shutil.copyfile(fp32, output / MODEL_FILE)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelExportError(f"exporting {source} to {output} failed: {exc}") from exc
    shutil.copyfile(source / TOKENIZER_FILE, output / TOKENIZER_FILE)
    manifest = {
        "format": "headlines-onnx-encoder/1",
        "source": source.parent.name if source.name == "model" else source.name,
        "precision": precision,
        "dim": reference.dim,
        "max_length": reference.max_length,
        "pooling": "mean",
        "normalize": True,
        "opset": opset,
        "pad_token": reference.tokenizer.pad_token or "[PAD]",
    }
    (output / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    try:
        report = check_export(output, reference, list(sentences or sample_sentences()), threshold, precision)
    except ModelError as exc:
        raise ModelExportError(f"the exported model in {output} does not load: {exc}") from exc
    manifest["threshold"] = threshold
    manifest["check"] = {"sentences": report.sentences, "mean_cosine": report.mean_cosine, "min_cosine": report.min_cosine}
    (output / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not report.passed:
        raise ModelExportError(
            f"{precision} export in {output} drifts from the torch model: min cosine {report.min_cosine:.4f} "
            f"< {threshold} (mean {report.mean_cosine:.4f}); export without --int8 or pass a lower --min-cosine"
        )
    return report
