from __future__ import annotations

import pytest
from pydantic import ValidationError

from headlines.countries.data import country_tag, flag_emoji, parse_country
from headlines.models import Article, CountryTag, DigestSchedule, describe_validation_error


def test_validation_error_names_field_and_problem() -> None:
    with pytest.raises(ValidationError) as info:
        Article.model_validate({"title": "x"})
    assert describe_validation_error(info.value) == "body: Field required"


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_empty_body_is_rejected(body: str) -> None:
    with pytest.raises(ValidationError) as info:
        Article(body=body)
    assert describe_validation_error(info.value).startswith("body:")


def test_oversized_body_is_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Article(body="x" * 1_000_001)
    assert "body" in describe_validation_error(info.value)


def test_numeric_id_kept_as_text_and_url_validated() -> None:
    assert Article(id=42, body="b").id == "42"
    with pytest.raises(ValidationError) as info:
        Article(body="b", url="javascript:alert(1)")
    assert describe_validation_error(info.value).startswith("url:")


def test_dedup_key_prefers_url_then_content() -> None:
    a = Article(body="Same text.", url="https://example.com/a#top")
    b = Article(body="Other text.", url="https://example.com/a/")
    assert a.dedup_key == b.dedup_key
    c = Article(body="Same   text.", title="T")
    d = Article(body="same text.", title="t")
    assert c.dedup_key == d.dedup_key != Article(body="Different.").dedup_key


def test_story_id_keeps_input_id() -> None:
    assert Article(id="abc", body="b").story_id() == "abc"
    assert len(Article(body="b").story_id()) == 16


def test_country_tag_contract() -> None:
    tag = country_tag("fr", 0.7, primary=True)
    assert (tag.code, tag.name, tag.flag, tag.primary) == ("FR", "France", "\U0001f1eb\U0001f1f7", True)
    assert country_tag("RU", 1.0, primary=False).name == "Russia"
    with pytest.raises(ValidationError):
        CountryTag(code="FRA", name="France", flag=flag_emoji("FR"), score=0.5)
    with pytest.raises(ValidationError):
        CountryTag(code="FR", name="France", flag=flag_emoji("FR"), score=1.5)


@pytest.mark.parametrize(("text", "code"), [("fr", "FR"), ("France", "FR"), ("russia", "RU"), ("Narnia", None)])
def test_parse_country(text: str, code: str | None) -> None:
    assert parse_country(text) == code


def test_digest_schedule_validates_time_and_zone() -> None:
    DigestSchedule(channel="C1", frequency="weekly", weekday=0, time="08:30", tz="Europe/Paris")
    with pytest.raises(ValidationError, match="time"):
        DigestSchedule(channel="C1", frequency="daily", time="25:00")
    with pytest.raises(ValidationError, match="unknown time zone"):
        DigestSchedule(channel="C1", frequency="daily", time="09:00", tz="Mars/Olympus")
