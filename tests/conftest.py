"""Shared fixtures. Every test starts from a clean environment so a real token or store never leaks in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]

_CLEARED_PREFIXES = ("HEADLINES_", "SLACK_")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No ambient HEADLINES_*/SLACK_* settings; the embedded store lives in the test's tmp dir."""
    for key in list(os.environ):
        if key.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HEADLINES_DB", str(tmp_path / "headlines.db"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    from headlines.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
