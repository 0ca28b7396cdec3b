"""docs/deploy.md's steps against a moto CloudFormation deployment of the translated template, as far as moto goes.

moto creates the tables, queues, buckets, roles, functions, log groups and topic (not the HTTP API, alarms,
bucket policies or event-invoke configs: it skips those types). On that stack: the deploy succeeds under a
long, capitalised stack name; every `$(out …)` of step 3 answers the guide's own `describe-stacks --query`;
and step 10's teardown keeps the five tables and the articles bucket and deletes the rest.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import jmespath
import pytest

from tests.conftest import REPO
from tests.iam_local import translated_template

GUIDE = (REPO / "docs" / "deploy.md").read_text()
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")  # moto's "not supported" types


def _guide_query(pattern: str) -> str:
    found = re.search(pattern, GUIDE)
    assert found, f"docs/deploy.md lost its query: {pattern}"
    return found.group(1)


@pytest.fixture
def stack(moto_server: str) -> Any:
    import boto3

    from headlines.aws.clients import client

    s3 = client("s3")
    s3.create_bucket(Bucket="sam-artifacts")  # what `sam package` uploads the zip functions to
    s3.put_object(Bucket="sam-artifacts", Key="headlines.zip", Body=b"PK\x05\x06" + b"\0" * 18)
    name = f"Headlines-Production-Newsroom-Stack-{uuid.uuid4().hex[:6].upper()}"  # long, capitalised
    cfn = boto3.client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(translated_template()), Capabilities=["CAPABILITY_IAM"])
    return cfn, name


def test_guide_variables_come_from_outputs_and_teardown_keeps_the_data(stack: Any) -> None:
    from headlines.aws.clients import client

    cfn, name = stack
    described = cfn.describe_stacks(StackName=name)
    assert described["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    query = _guide_query(r'--query "(Stacks\[0\]\.Outputs\[\?OutputKey==\'\$1\'\]\.OutputValue)"')
    used = re.findall(r"\$\(out (\w+)\)", GUIDE)
    assert {"ArticlesWebhookUrl", "ArticlesBucketName", "DeadLetterQueueArn", "WorkQueueArn", "AlarmTopicArn"} <= set(used)
    values = {}
    for output in used:
        got = jmespath.search(query.replace("$1", output), described)
        assert got and got[0], f"step 3: {output} is not a stack output"
        values[output] = got[0]
    bucket = values["ArticlesBucketName"]
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", bucket), bucket
    assert (
        client("sqs").get_queue_attributes(QueueUrl=values["DeadLetterQueueUrl"], AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        == values["DeadLetterQueueArn"]
    )

    # Step 10: note the retained resources, empty the index bucket, delete the stack.
    resources = cfn.describe_stack_resources(StackName=name)
    retained_query = _guide_query(r'--query "(StackResources\[[^"]+\])"')
    retained = {row[1]: row[0] for row in jmespath.search(retained_query, resources)}
    assert sorted(retained.values()) == [
        "ArticlesBucket",
        "IdempotencyTable",
        "PostsTable",
        "StoriesTable",
        "StoryVectorsTable",
        "SubscriptionsTable",
    ]
    client("s3").put_object(Bucket=bucket, Key="incoming/a.json", Body=b"{}")
    cfn.delete_stack(StackName=name)
    buckets = {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    for physical, logical in retained.items():
        if logical == "ArticlesBucket":
            assert physical in buckets, f"{logical} was not retained"
        else:  # describe, not list: the session's moto server holds more tables than one ListTables page
            assert client("dynamodb").describe_table(TableName=physical)["Table"]["TableStatus"] == "ACTIVE", logical
    assert values["IndexBucketName"] not in buckets
