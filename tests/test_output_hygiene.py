"""What readers see is what the article says: no markup, escape sequences, bidi tricks or hidden characters
act on a terminal, a Slack post or the model; titles in scripts without spaces are kept."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from headlines.models import Article, Story
from headlines.pipeline import derive_headline
from headlines.slack import blocks
from headlines.store.sqlite import SQLiteStore

FAST = {"HEADLINES_SUMMARIZER": "lead", "HEADLINES_TAGGER": "exact", "HEADLINES_EMBED": "false"}
TERMINAL_ATTACK = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRed\x9b31m"
BIDI = "\u202eevil.com\u202c and \u2066isolated\u2069 \u202dforced\u202c"


def _raw_story(story_id: str, *, title: str, source: str, summary: str) -> Story:
    """A story as an older version (or another writer) may have stored it: not cleaned on the way in."""
    article = Article.model_construct(
        id=story_id,
        title=title,
        body="Body text.",
        source=source,
        url=None,
        source_country=None,
        dateline=None,
        language=None,
        published=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )
    now = datetime.now(UTC)
    return Story.model_construct(
        id=story_id,
        article=article,
        headline=title,
        summary=summary,
        countries=[],
        content_hash=story_id,
        created_at=now,
        updated_at=now,
    )


def _latest(db: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")} | FAST
    env |= {"HEADLINES_DB": str(db), "FORCE_COLOR": "1", "COLUMNS": "200"}  # as on a real terminal: links and styles on
    return subprocess.run([sys.executable, "-m", "headlines", "latest"], env=env, capture_output=True, timeout=120)


def test_latest_shows_markup_and_escapes_as_text_never_acting_on_them(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    store = SQLiteStore(db)
    store.put(
        _raw_story(
            "s1",
            title="Markup [/bold] title",
            source="[link=https://evil.example]Trusted Wire[/link] [/bold]",
            summary="A summary with [red]markup[/red].",
        )
    )
    store.put(_raw_story("s2", title=f"Escapes {TERMINAL_ATTACK}", source=f"Wire {BIDI}", summary=f"Summary {TERMINAL_ATTACK}"))
    store.close()
    result = _latest(db)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    out = result.stdout.decode()
    assert "[/bold]" in out and "[link=https://evil.example]Trusted Wire[/link]" in out and "[red]markup[/red]" in out
    assert "\x1b]8;" not in out  # no live hyperlink (OSC 8)
    assert "\x1b]0;" not in out and "\x1b[2J" not in out and "\x07" not in out and "\x9b" not in out
    assert "\x1b[31mRed" not in out
    assert not any(c in out for c in "\u202e\u202c\u2066\u2069\u202d")
    assert "Red" in out and "evil.com" in out


def test_bidi_controls_never_reach_a_slack_post() -> None:
    story = _raw_story("s3", title=f"Headline {BIDI}", source=f"Source {BIDI}", summary=f"Summary {BIDI} {TERMINAL_ATTACK}")
    message = blocks.story_message(story)
    rendered = str(message.blocks) + message.text
    assert not any(c in rendered for c in "\u202e\u202c\u2066\u2069\u202d\x1b\x07\x9b")
    assert "evil.com" in rendered and "isolated" in rendered


def test_article_text_is_cleaned_where_it_enters() -> None:
    article = Article(
        title=f"Talks {BIDI}\u200b",
        body=f"Officials in Rus\u200bsia and Fr\u2060ance met. {BIDI} \x1b[2J",
        source="Wire\u202e",
        dateline="MOS\u200bCOW",
    )
    assert article.title == "Talks evil.com and isolated forced"
    assert article.body.startswith("Officials in Russia and France met.") and "\x1b" not in article.body
    assert article.source == "Wire" and article.dateline == "MOSCOW"


def test_a_zero_width_space_inside_a_word_is_removed_not_turned_into_a_space(monkeypatch: pytest.MonkeyPatch) -> None:
    from headlines.container import build_pipeline

    for key, value in FAST.items():
        monkeypatch.setenv(key, value)
    pipeline = build_pipeline(sentences=1)
    story = pipeline.analyze(
        Article.model_validate(
            {"body": "Troops left Rus\u200bsia on Monday. Talks resume.", "title": "Troops leave Rus\u200bsia"}
        )
    )
    assert story.headline == "Troops leave Russia"
    assert story.summary == "Troops left Russia on Monday."


def test_joiners_stay_where_scripts_need_them() -> None:
    from headlines.sanitize import clean_unicode

    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ is spelling in Persian
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji made of three
    assert clean_unicode(persian) == persian and clean_unicode(family) == family
    assert clean_unicode("Rus\u200csia Fr\u200dance") == "Russia France"


@pytest.mark.parametrize(
    "title",
    ["中国宣布新的经济刺激计划", "日本銀行が政策金利を引き上げ", "ประเทศไทยเลือกตั้งทั่วไป"],
    ids=["chinese", "japanese", "thai"],
)
def test_a_title_in_a_script_without_spaces_is_kept_as_the_headline(title: str) -> None:
    article = Article(title=title, body="Long body text in another language. It says many things. More follows here.")
    assert derive_headline(article, ["Long body text in another language."]) == title


def test_a_one_word_latin_title_still_gives_way_to_a_clause() -> None:
    article = Article(title="Breaking", body="Parliament voted to approve the budget on Monday, after a long debate.")
    assert derive_headline(article, ["Parliament voted to approve the budget on Monday, after a long debate."]) != "Breaking"


def test_markup_in_a_country_or_a_path_is_an_error_message_not_a_crash(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")} | FAST
    env["HEADLINES_DB"] = str(tmp_path / "h.db")
    for args in (["latest", "--country", "[/bold]\x1b[2J"], ["process", "--input", str(tmp_path / "[/bold]")]):
        result = subprocess.run([sys.executable, "-m", "headlines", *args], env=env, capture_output=True, timeout=120)
        assert result.returncode == 2, result.stderr.decode()[-2000:]
        assert b"[/bold]" in result.stderr and b"Traceback" not in result.stderr and b"\x1b[2J" not in result.stderr
