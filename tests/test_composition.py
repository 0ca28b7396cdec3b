"""One composition root per entry point: only entry points import `headlines.container` (the factories).

Library code receives its collaborators as arguments; a module under functions/headlines that builds its own
(imports the container) hides composition where a newcomer does not look for it. A small AST check, so a lazy
import inside a function counts as much as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "functions" / "headlines"

ENTRY_POINTS = ("headlines.handlers.", "headlines.cli.")
"""Lambda handlers (template.yaml) and the `headlines` commands (`headlines serve` included)."""

ALSO_ENTRY_POINTS = {
    "headlines.container",  # the factories themselves
}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_container(source: str, name: str) -> list[int]:
    """Line numbers where `source` (module `name`) imports headlines.container, in any spelling."""
    lines = []
    package = name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            lines += [node.lineno for alias in node.names if alias.name == "headlines.container"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base == "headlines.container" or (base == "headlines" and any(a.name == "container" for a in node.names)):
                lines.append(node.lineno)
    return lines


def offenders(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        if name.startswith(ENTRY_POINTS) or name in ALSO_ENTRY_POINTS:
            continue
        found += [f"{name}:{line}" for line in imports_container(path.read_text(encoding="utf-8"), name)]
    return found


def test_only_entry_points_import_the_composition_code() -> None:
    assert offenders() == [], "library modules must receive collaborators, not build them from headlines.container"


def test_the_check_sees_every_spelling() -> None:
    spellings = [
        "import headlines.container",
        "from headlines.container import build_store",
        "from headlines import container",
        "def f():\n    from headlines.container import get_encoder\n",
        "from .container import build_store",
    ]
    for source in spellings:
        assert imports_container(source, "headlines.worker"), source
    assert imports_container("from ..container import build_store", "headlines.slack.app")
    assert not imports_container("from headlines.containers import x\nimport headlines.settings", "headlines.worker")


def test_the_check_fails_on_a_library_module_that_builds_its_own(tmp_path: Path) -> None:
    (tmp_path / "headlines" / "handlers").mkdir(parents=True)
    (tmp_path / "headlines" / "handlers" / "x.py").write_text("from headlines import container\n")
    (tmp_path / "headlines" / "worker.py").write_text("import logging\n\ndef deps():\n    from headlines import container\n")
    assert offenders(tmp_path / "headlines") == ["headlines.worker:4"]
