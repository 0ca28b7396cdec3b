"""`headlines model ...`: build-time model commands (export needs torch; the runtime does not)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from headlines.cli.options import fail

model_app = typer.Typer(help="Prepare the sentence encoder for deployment.", no_args_is_help=True)


@model_app.command("export")
def export(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Directory to write model.onnx, tokenizer.json, manifest.json (default: the user data directory, "
            "where HEADLINES_ENCODER=auto finds the default model's export)",
        ),
    ] = None,
    int8: Annotated[bool, typer.Option("--int8", help="Dynamic int8 quantization, per-channel weights: ~4x smaller")] = False,
    model_dir: Annotated[
        Path | None, typer.Option(help="Source transformers model directory (default: HEADLINES_MODEL_DIR or the bundled MiniLM)")
    ] = None,
    opset: Annotated[int, typer.Option(min=14, max=21, help="ONNX opset")] = 17,
    min_cosine: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Minimum cosine vs torch (default 0.999, int8 0.97)")
    ] = None,
    skip_existing: Annotated[
        bool, typer.Option("--skip-existing", help="Do nothing when OUTPUT already holds an export that passed its check")
    ] = False,
) -> None:
    """Export the sentence encoder to ONNX and check it against the torch model on the sample sentences.

    Prints the mean and minimum cosine similarity of the exported embeddings with the torch ones;
    exit status 1 when the minimum is below the threshold, 2 when the source model cannot be loaded.
    Without --output the export goes to the user data directory, where later runs pick it up instead of torch.
    """
    from headlines.encoder import ModelError
    from headlines.model_export import ModelExportError, export_model
    from headlines.onnx_encoder import is_checked_export, user_onnx_dir
    from headlines.settings import get_settings

    console = Console(stderr=True)
    source = model_dir or get_settings().model_dir
    if output is None:
        if source is not None:
            console.print(
                "[red]error:[/] --model-dir (or HEADLINES_MODEL_DIR) needs --output: the user data directory "
                "holds only the default model's export"
            )
            raise typer.Exit(2)
        output = user_onnx_dir()
    if skip_existing and is_checked_export(output):
        typer.echo(f"{output} already holds a checked export; nothing to do")
        return
    try:
        report = export_model(output, int8=int8, model_dir=source, opset=opset, min_cosine=min_cosine)
    except ModelError as exc:
        fail(str(exc))
    except ModelExportError as exc:
        fail(str(exc), 1)
    typer.echo(
        f"exported {report.precision} encoder to {report.output} ({report.size_mb:.1f} MB)\n"
        f"check on {report.sentences} sample sentences: cosine vs torch mean {report.mean_cosine:.4f}, "
        f"min {report.min_cosine:.4f} (threshold {report.threshold}) OK"
    )
