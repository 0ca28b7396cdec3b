"""Mean answer length next to answer-contains-gold, per half, from `headlines eval answers --outcomes` files.

    python benchmarks/answer_words.py before.jsonl after.jsonl

Quoting more text would raise "contains gold" for nothing: this shows the length that came with it. Words
are counted in the quoted text only (the added dates "On 14 March 2022:" and the [n] citations left out),
over the answerable questions that were answered.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

_DATED = re.compile(r"\bOn \d{1,2} [A-Z][a-z]+ \d{4}: ")
_CITE = re.compile(r"\[\d+\]")


def words(answer: str) -> int:
    return len(_CITE.sub(" ", _DATED.sub(" ", answer)).split())


def main() -> None:
    print(f"{'file':32} {'half':6} {'questions':>9} {'contains gold':>13} {'mean words':>10} {'median':>6}")
    for name in sys.argv[1:]:
        rows = [json.loads(line) for line in Path(name).read_text(encoding="utf-8").splitlines() if line.strip()]
        rows = [r for r in rows if r["gold_answers"]]
        for half in ("tune", "check", "all"):
            mine = [r for r in rows if half == "all" or r["half"] == half]
            lengths = [words(r["answer"]) for r in mine if r["answered"]]
            gold = sum(r["contains_answer"] for r in mine) / max(len(mine), 1)
            print(
                f"{Path(name).name[:32]:32} {half:6} {len(mine):9} {gold:13.3f} "
                f"{statistics.mean(lengths):10.1f} {statistics.median(lengths):6.0f}"
            )


if __name__ == "__main__":
    main()
