"""A local AWS for tests: resources built from template.yaml's own definitions on a moto server.

Tables, queues and the bucket are created from the template (key schemas, indexes, TTL, redrive
count), so the test schema cannot drift from the deployment. Every resource name gets a unique
suffix, so tests never see each other's data.
"""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


@lru_cache(maxsize=1)
def template() -> dict[str, Any]:
    """template.yaml decoded by cfn-lint (understands the !Ref / !Sub / !GetAtt tags)."""
    from cfnlint.decode import decode

    decoded, errors = decode(str(TEMPLATE))
    assert not errors, errors
    return json.loads(json.dumps(decoded))


def resource(logical_id: str) -> dict[str, Any]:
    return template()["Resources"][logical_id]


def resources_of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template()["Resources"].items() if v["Type"] == kind}


def function_environment(name: str) -> dict[str, Any]:
    """The environment template.yaml gives a function: Globals merged with its own variables."""
    merged = dict(template()["Globals"]["Function"]["Environment"]["Variables"])
    merged.update(resource(name)["Properties"].get("Environment", {}).get("Variables", {}))
    return merged


def deployment_settings() -> set[str]:
    """The settings that must differ on AWS: every HEADLINES_* variable template.yaml sets on some function,
    and every setting naming an AWS resource (a table, queue, bucket, snapshot or secret parameter)."""
    import re

    from headlines.settings import Settings

    aws_named = {
        f"HEADLINES_{f.upper()}"
        for f in Settings.model_fields
        if re.search(r"(_table|queue_url|_param|^bucket|^index_snapshot|^store)$", f)
    }
    functions = resources_of_type("AWS::Serverless::Function")
    return aws_named | {k for fn in functions for k in function_environment(fn) if k.startswith("HEADLINES_")}


@dataclass
class LocalStack:
    """Names of the resources created for one test, and boto3 clients on the moto server."""

    tables: dict[str, str] = field(default_factory=dict)
    queue_url: str = ""
    dlq_url: str = ""
    bucket: str = ""
    index_bucket: str = ""
    clients: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    """template.yaml's parameters as this stack was "deployed" with (the secret parameter names are unique)."""
    names: Any = None
    """tests.iam_local.Names: what each logical id resolves to here (for the IAM roles)."""
    as_function: Any = None
    """`as_function(logical_id, handle)`: `handle(event, context)` run as that function (its role and only the
    settings template.yaml gives it), for a handler a test built with its own collaborators (`build_handler`)."""

    def client(self, service: str) -> Any:
        from headlines.aws.clients import client

        return client(service)

    def env(self) -> dict[str, str]:
        """The HEADLINES_* settings template.yaml gives the functions, pointing at these resources."""
        return {
            "HEADLINES_STORE": "dynamodb",
            "HEADLINES_STORIES_TABLE": self.tables["StoriesTable"],
            "HEADLINES_POSTS_TABLE": self.tables["PostsTable"],
            "HEADLINES_SUBSCRIPTIONS_TABLE": self.tables["SubscriptionsTable"],
            "HEADLINES_IDEMPOTENCY_TABLE": self.tables["IdempotencyTable"],
            "HEADLINES_VECTORS_TABLE": self.tables["StoryVectorsTable"],
            "HEADLINES_QUEUE_URL": self.queue_url,
            "HEADLINES_DEAD_LETTER_QUEUE_URL": self.dlq_url,
            "HEADLINES_MAX_RECEIVES": str(resource("WorkQueue")["Properties"]["RedrivePolicy"]["maxReceiveCount"]),
            "HEADLINES_BUCKET": self.bucket,
            "HEADLINES_INDEX_SNAPSHOT": f"s3://{self.index_bucket}/ask-index.npz",
        }


def create_table(ddb: Any, logical_id: str, name: str) -> None:
    props = resource(logical_id)["Properties"]
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props["BillingMode"],
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    ddb.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)


SECRET_PARAMETERS = ("SlackBotTokenParameter", "SlackSigningSecretParameter", "WebhookSecretParameter")


def create_stack() -> LocalStack:
    """Every table, the work queue + DLQ (redrive from the template) and the buckets, uniquely named.

    The articles bucket gets the name template.yaml gives it (from a stack id of this test's own), and the
    secret parameters unique names: the IAM roles (tests/iam_local.py) resolve to exactly these resources.
    """
    from headlines.aws.clients import client
    from tests.iam_local import ACCOUNT, REGION, Names

    suffix = uuid.uuid4().hex[:8]
    stack = LocalStack()
    names = stack.names = Names(stack_id=f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/headlines-{suffix}/{uuid.uuid4()}")
    for key, spec in template()["Parameters"].items():
        stack.parameters[key] = f"headlines-test-{suffix}/{key}" if key in SECRET_PARAMETERS else str(spec.get("Default", ""))
    names.refs.update(stack.parameters)
    ddb = client("dynamodb")
    for logical_id in resources_of_type("AWS::DynamoDB::Table"):
        name = f"{logical_id}-{suffix}"
        create_table(ddb, logical_id, name)
        stack.tables[logical_id] = name
        names.refs[logical_id] = name
        names.attrs[(logical_id, "Arn")] = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    sqs = client("sqs")

    def queue(logical_id: str, name: str, **attributes: str) -> str:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        names.refs[logical_id] = url
        names.attrs[(logical_id, "QueueName")] = name
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        names.attrs[(logical_id, "Arn")] = attributes["QueueArn"]
        return url

    stack.dlq_url = queue("DeadLetterQueue", f"dlq-{suffix}")
    queue("FailedEventsQueue", f"failed-{suffix}")
    work = resource("WorkQueue")["Properties"]
    redrive = {
        "deadLetterTargetArn": names.attrs[("DeadLetterQueue", "Arn")],
        "maxReceiveCount": str(work["RedrivePolicy"]["maxReceiveCount"]),
    }
    stack.queue_url = queue(
        "WorkQueue", f"work-{suffix}", VisibilityTimeout=str(work["VisibilityTimeout"]), RedrivePolicy=json.dumps(redrive)
    )
    stack.bucket = names.resolve(resource("ArticlesBucket")["Properties"]["BucketName"])
    stack.index_bucket = f"index-{suffix}"
    for logical_id, bucket in (("ArticlesBucket", stack.bucket), ("IndexBucket", stack.index_bucket)):
        client("s3").create_bucket(Bucket=bucket)
        names.refs[logical_id] = bucket
        names.attrs[(logical_id, "Arn")] = f"arn:aws:s3:::{bucket}"
    return stack


class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name = "headlines-test"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:headlines-test"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/headlines-test"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event the Lambda SQS trigger builds from received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {k: str(v) for k, v in m.get("Attributes", {}).items()},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def poll_once(stack: LocalStack, handler: Any, *, max_messages: int = 5, context: Any = None) -> dict[str, Any] | None:
    """What the SQS trigger does once: receive a batch, invoke the handler, delete what succeeded,
    and make the reported failures visible again at once (as if their visibility timeout ran out)."""
    from headlines.aws.clients import client

    sqs = client("sqs")
    got = sqs.receive_message(
        QueueUrl=stack.queue_url, MaxNumberOfMessages=max_messages, AttributeNames=["All"], WaitTimeSeconds=0
    ).get("Messages", [])
    if not got:
        return None
    arn = sqs.get_queue_attributes(QueueUrl=stack.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        result = handler(sqs_event(got, arn), context or LambdaContext())
    except Exception as exc:  # a whole failed batch raises (Powertools): every message is retried
        result = {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in got], "raised": repr(exc)}
    failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    for m in got:
        if m["MessageId"] in failed:
            sqs.change_message_visibility(QueueUrl=stack.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        else:
            sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=m["ReceiptHandle"])
    return result


def queue_bodies(queue_url: str) -> list[str]:
    """Bodies of the messages now visible on a queue (read without consuming: made visible again)."""
    from headlines.aws.clients import client

    sqs = client("sqs")
    bodies = []
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    for m in got:
        bodies.append(m["Body"])
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    return bodies


EVENTS = Path(__file__).parent / "events"


def load_event(name: str) -> dict[str, Any]:
    """A realistic event fixture from tests/events/."""
    return json.loads((EVENTS / name).read_text())


def s3_event(bucket: str, key: str, size: int = 0) -> dict[str, Any]:
    """The S3 notification fixture, for this bucket and key (keys arrive URL-encoded, spaces as '+')."""
    from urllib.parse import quote_plus

    event = load_event("s3_object_created.json")
    record = event["Records"][0]["s3"]
    record["bucket"]["name"] = bucket
    record["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    record["object"]["key"] = quote_plus(key, safe="/")
    record["object"]["size"] = size
    return event


def http_event(body: str | bytes, secret: str | None, *, base64_body: bool = False) -> dict[str, Any]:
    """The POST /articles fixture with this body and secret header (None drops the header)."""
    import base64

    event = load_event("http_post_articles.json")
    raw = body.encode() if isinstance(body, str) else body
    event["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode("utf-8", "replace")
    event["isBase64Encoded"] = base64_body
    event["headers"]["content-length"] = str(len(raw))
    if secret is None:
        del event["headers"]["x-headlines-secret"]
    else:
        event["headers"]["x-headlines-secret"] = secret
    return event


def receive_jobs(queue_url: str) -> list[Any]:
    """Consume every visible message on the queue, as Jobs."""
    from headlines.aws.clients import client
    from headlines.job_queue import Job

    sqs = client("sqs")
    jobs = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not got:
            return jobs
        for m in got:
            jobs.append(Job.model_validate_json(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def serialize_dynamodb_writes() -> None:
    """Make the in-process moto server's DynamoDB writes atomic with respect to each other, as DynamoDB's are.

    moto checks a transaction's conditions and applies its writes without a lock (and rolls back by restoring
    a copy of the table), so two threads' transactions can interleave in ways DynamoDB never allows; the
    concurrency tests (conditional writes, TransactWriteItems races) need DynamoDB's real guarantee."""
    import functools
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_headlines_serialized", False):
        return
    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    DynamoDBBackend._headlines_serialized = True  # type: ignore[attr-defined]


def forget_built_handlers() -> None:
    """Each Lambda handler builds its collaborators once per cold start: forget them, so the next call is a cold
    start that reads the environment as the test has set it."""
    for name, module in list(sys.modules.items()):
        if name.startswith("headlines.handlers.") and hasattr(module, "default_handler"):
            module.default_handler.cache_clear()
