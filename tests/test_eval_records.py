"""The one JSON Lines reader behind every evaluation loader: each bad file or line is an error naming it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from headlines.errors import BadInputError
from headlines.evaluation.answers import load_corpus, load_questions
from headlines.evaluation.countries import CountryEvalError, load_dataset
from headlines.evaluation.events import EventDataError, load_pairs
from headlines.evaluation.records import json_lines
from headlines.evaluation.retrieval import EvaluationError as RetrievalError
from headlines.evaluation.summaries import EvaluationError as SummariesError
from headlines.evaluation.summaries import load_examples


class _Bad(BadInputError):
    pass


def test_reads_plain_and_gzip_alike_skipping_blank_lines(tmp_path: Path) -> None:
    text = '{"a": 1}\n\n   \n[2, 3]\n"four"\n'
    plain = tmp_path / "x.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "x.jsonl.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    expected = [(1, {"a": 1}), (4, [2, 3]), (5, "four")]
    assert list(json_lines(plain, _Bad)) == expected
    assert list(json_lines(packed, _Bad)) == expected


def test_a_bad_line_names_file_and_line_with_the_callers_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    reader = json_lines(path, _Bad)
    assert next(reader) == (1, {"a": 1})
    with pytest.raises(_Bad, match=r"x\.jsonl:2: not JSON"):
        next(reader)


def test_missing_truncated_and_binary_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(_Bad, match="cannot read"):
        list(json_lines(tmp_path / "absent.jsonl", _Bad))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(b'{"a": 1}\n' * 200)[:40])
    with pytest.raises(_Bad, match="cannot read"):
        list(json_lines(cut, _Bad))
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b'{"a": 1}\n\xff\xfe\x00\x81\n')
    with pytest.raises(_Bad, match="cannot read"):
        list(json_lines(binary, _Bad))


@pytest.mark.parametrize(
    ("load", "error"),
    [
        (lambda p: load_questions(p), RetrievalError),
        (lambda p: load_corpus(p), RetrievalError),
        (lambda p: load_examples(p), SummariesError),
        (lambda p: load_pairs(p), EventDataError),
        (lambda p: load_dataset(p, None), CountryEvalError),
    ],
)
def test_every_loader_names_the_bad_line(tmp_path: Path, load: object, error: type[Exception]) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text("not json at all\n", encoding="utf-8")
    with pytest.raises(error, match=r"data\.jsonl:1: not JSON"):
        load(path)  # type: ignore[operator]
    with pytest.raises(error, match="cannot read"):
        load(tmp_path / "absent.jsonl")  # type: ignore[operator]
