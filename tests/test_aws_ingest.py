"""Ingest on a local AWS: S3 objects and the /articles webhook become queued jobs; bad input is refused, never lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from headlines.aws.events import UnknownEventError, event_kind
from headlines.handlers import ingest
from tests.aws_local import LambdaContext, LocalStack, forget_built_handlers, http_event, load_event, receive_jobs, s3_event
from tests.conftest import FIXTURES

SECRET = "s3cr3t-for-tests"
ARTICLE = {
    "id": "a-1",
    "title": "France Eyes Potential Talks with Russia",
    "url": "https://www.example.com/news/france-russia",
    "body": "France is contemplating initiating diplomatic discussions with Russia, the presidential office said.",
}


@pytest.fixture
def stack(aws: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    name = "/" + aws.parameters["WebhookSecretParameter"]  # as template.yaml passes it: the name the role may read
    aws.client("ssm").put_parameter(Name=name, Value=SECRET, Type="SecureString")
    monkeypatch.setenv("HEADLINES_WEBHOOK_SECRET_PARAM", name)
    from headlines.settings import get_settings

    get_settings.cache_clear()
    forget_built_handlers()
    yield aws
    forget_built_handlers()


def put(stack: LocalStack, key: str, body: bytes, content_type: str = "application/octet-stream") -> dict[str, Any]:
    stack.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=body, ContentType=content_type)
    return ingest.handler(s3_event(stack.bucket, key, len(body)), LambdaContext())


def keys(stack: LocalStack) -> set[str]:
    listing = stack.client("s3").list_objects_v2(Bucket=stack.bucket)
    return {o["Key"] for o in listing.get("Contents", [])}


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("s3_object_created.json", "S3Model"),
        ("sqs_batch.json", "SqsModel"),
        ("http_post_articles.json", "APIGatewayProxyEventV2Model"),
        ("scheduled_event.json", "EventBridgeModel"),
    ],
)
def test_event_fixtures_match_the_aws_envelopes(name: str, model: str) -> None:
    """Contract: the fixtures are what AWS sends (Powertools' pydantic models of each envelope)."""
    from aws_lambda_powertools.utilities.parser import models

    getattr(models, model).model_validate(load_event(name))


def test_event_kinds_of_every_fixture() -> None:
    assert event_kind(load_event("s3_object_created.json")) == "s3"
    assert event_kind(load_event("http_post_articles.json")) == "http"
    assert event_kind(load_event("sqs_batch.json")) == "sqs"
    assert event_kind(load_event("scheduled_event.json")) == "schedule"


@pytest.mark.parametrize("event", [{}, {"Records": [{"eventSource": "aws:kinesis"}]}, {"hello": "world"}, [1, 2]])
def test_unknown_event_shape_is_a_clear_error(stack: LocalStack, event: Any) -> None:
    with pytest.raises(UnknownEventError, match="unknown event shape"):
        ingest.handler(event, LambdaContext())
    assert receive_jobs(stack.queue_url) == []


def test_ingest_refuses_events_it_is_not_wired_for(stack: LocalStack) -> None:
    with pytest.raises(UnknownEventError, match="handles only s3, http"):
        ingest.handler(load_event("scheduled_event.json"), LambdaContext())


def test_json_article_in_incoming_is_queued(stack: LocalStack) -> None:
    key = "incoming/2025/france russia (1).json"  # spaces and brackets arrive URL-encoded in the event
    result = put(stack, key, json.dumps(ARTICLE).encode(), "application/json")
    assert [o["status"] for o in result["outcomes"]] == ["queued"]
    (job,) = receive_jobs(stack.queue_url)
    assert job.kind == "process_article" and job.article is not None
    assert job.article.id == "a-1" and job.article.title == ARTICLE["title"]
    assert job.id.startswith(f"s3:{stack.bucket}/{key}@")
    assert key in keys(stack)


def test_html_page_in_incoming_is_queued_as_its_main_text(stack: LocalStack) -> None:
    put(stack, "incoming/page.html", (FIXTURES / "news-page.html").read_bytes(), "text/html")
    (job,) = receive_jobs(stack.queue_url)
    assert job.article is not None
    assert job.article.body.startswith("France is contemplating")
    assert "TRENDING" not in job.article.body


@pytest.mark.parametrize(
    ("name", "payload", "reason"),
    [
        ("photo.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary content"),
        ("latin1.json", '{"body": "caf\xe9"}'.encode("latin-1"), "not UTF-8"),
        ("broken.json", b'{"title": "x", "body": ', "broken JSON"),
        ("nobody.json", b'{"title": "no body here"}', "body: Field required"),
        ("list.json", b"[1, 2]", "expected a JSON object"),
        ("empty.json", b"   ", "empty"),
        ("notes.txt", b"just some words, not an article format", "unsupported content"),
    ],
)
def test_bad_objects_move_to_rejected_with_their_reason(stack: LocalStack, name: str, payload: bytes, reason: str) -> None:
    result = put(stack, f"incoming/{name}", payload)
    (outcome,) = result["outcomes"]
    assert outcome["status"] == "rejected" and reason in outcome["reason"]
    assert keys(stack) == {f"rejected/{name}"}
    head = stack.client("s3").head_object(Bucket=stack.bucket, Key=f"rejected/{name}")
    assert reason.split(":")[0] in head["Metadata"]["reason"]
    assert head["Metadata"]["source-key"] == f"incoming/{name}"
    moved = stack.client("s3").get_object(Bucket=stack.bucket, Key=f"rejected/{name}")["Body"].read()
    assert moved == payload  # nothing lost
    assert receive_jobs(stack.queue_url) == []


def test_object_over_5_mb_is_rejected_without_reading_it(stack: LocalStack) -> None:
    big = b'{"body": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    result = put(stack, "incoming/huge.json", big, "application/json")
    (outcome,) = result["outcomes"]
    assert outcome["status"] == "rejected" and "too large" in outcome["reason"] and "5242880" in outcome["reason"]
    assert keys(stack) == {"rejected/huge.json"}


def test_webhook_queues_a_valid_article(stack: LocalStack) -> None:
    answer = ingest.handler(http_event(json.dumps(ARTICLE), SECRET), LambdaContext())
    assert answer["statusCode"] == 202
    body = json.loads(answer["body"])
    assert body["status"] == "queued" and body["story_id"] == "a-1"
    (job,) = receive_jobs(stack.queue_url)
    assert job.id == body["job_id"] and job.article is not None and job.article.url is not None


def test_webhook_fixture_as_api_gateway_sends_it(stack: LocalStack) -> None:
    event = load_event("http_post_articles.json")
    event["headers"]["x-headlines-secret"] = SECRET
    assert ingest.handler(event, LambdaContext())["statusCode"] == 202
    assert receive_jobs(stack.queue_url)[0].article.id == "webhook-1"  # type: ignore[union-attr]


def test_webhook_accepts_base64_bodies(stack: LocalStack) -> None:
    answer = ingest.handler(http_event(json.dumps(ARTICLE), SECRET, base64_body=True), LambdaContext())
    assert answer["statusCode"] == 202


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_webhook_without_the_right_secret_is_401(stack: LocalStack, secret: str | None) -> None:
    answer = ingest.handler(http_event(json.dumps(ARTICLE), secret), LambdaContext())
    assert answer["statusCode"] == 401 and "x-headlines-secret" in json.loads(answer["body"])["error"]
    assert receive_jobs(stack.queue_url) == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ('{"title": "no body"}', "body", "Field required"),
        ('{"body": "   "}', "body", "at least 1 character"),
        ('{"body": "text", "url": "ftp://x.example/a"}', "url", "URL scheme should be 'http' or 'https'"),
        ('{"body": "text", "source_country": "France"}', "source_country", "String should match pattern"),
        ('{"body": "text", "published": "yesterday"}', "published", "valid datetime"),
    ],
)
def test_webhook_field_errors_are_400_naming_the_field(stack: LocalStack, body: str, field: str, message: str) -> None:
    answer = ingest.handler(http_event(body, SECRET), LambdaContext())
    assert answer["statusCode"] == 400
    payload = json.loads(answer["body"])
    assert message in payload["fields"][field]
    assert receive_jobs(stack.queue_url) == []


def test_webhook_non_json_and_non_object_are_400(stack: LocalStack) -> None:
    for body in ("not json", "[1, 2]", ""):
        answer = ingest.handler(http_event(body, SECRET), LambdaContext())
        assert answer["statusCode"] == 400, body
        assert json.loads(answer["body"])["error"]


def test_webhook_oversize_body_is_413(stack: LocalStack) -> None:
    big = json.dumps({"body": "a" * (5 * 1024 * 1024 + 1)})
    answer = ingest.handler(http_event(big, SECRET), LambdaContext())
    assert answer["statusCode"] == 413 and "limit is 5242880 bytes" in json.loads(answer["body"])["error"]


def test_webhook_url_to_an_internal_address_is_refused(stack: LocalStack) -> None:
    event = http_event(json.dumps({"url": "http://169.254.169.254/latest/meta-data/"}), SECRET)
    answer = ingest.handler(event, LambdaContext())
    assert answer["statusCode"] == 400
    assert "link-local" in json.loads(answer["body"])["fields"]["url"]


def test_webhook_without_a_configured_secret_refuses_everything(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEADLINES_WEBHOOK_SECRET_PARAM")
    from headlines.settings import get_settings

    get_settings.cache_clear()
    forget_built_handlers()
    answer = ingest.handler(http_event(json.dumps(ARTICLE), ""), LambdaContext())
    assert answer["statusCode"] == 503


@pytest.mark.parametrize("key", ["rejected/photo.json", "other/article.json"])
def test_objects_outside_incoming_are_ignored_and_left_alone(stack: LocalStack, key: str) -> None:
    result = put(stack, key, json.dumps(ARTICLE).encode(), "application/json")
    assert [o["status"] for o in result["outcomes"]] == ["ignored"]
    assert keys(stack) == {key}
    assert receive_jobs(stack.queue_url) == []


def test_webhook_with_an_unreadable_secret_parameter_is_503(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.client("ssm").delete_parameter(Name="/" + stack.parameters["WebhookSecretParameter"])  # deleted after deploy
    from headlines.settings import get_settings

    get_settings.cache_clear()
    forget_built_handlers()
    answer = ingest.handler(http_event(json.dumps(ARTICLE), SECRET), LambdaContext())
    assert answer["statusCode"] == 503 and "cannot be read" in json.loads(answer["body"])["error"]
    assert receive_jobs(stack.queue_url) == []


def test_a_notification_from_another_bucket_is_ignored(stack: LocalStack) -> None:
    """HEADLINES_BUCKET names the one bucket ingested; another bucket's object is left alone, nothing queued."""
    other = f"{stack.index_bucket}"
    stack.client("s3").put_object(Bucket=other, Key="incoming/a.json", Body=json.dumps(ARTICLE).encode())
    result = ingest.handler(s3_event(other, "incoming/a.json"), LambdaContext())
    (outcome,) = result["outcomes"]
    assert outcome["status"] == "ignored" and stack.bucket in outcome["reason"]
    assert receive_jobs(stack.queue_url) == []
    assert [o["Key"] for o in stack.client("s3").list_objects_v2(Bucket=other)["Contents"]] == ["incoming/a.json"]
