"""The IAM harness itself (tests/iam_local.py): it reads the deployed roles right, and it can refuse."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.aws_local import LocalStack, template
from tests.iam_local import ENFORCER, Call, Names, roles, translated


def _arn(table: str, stack: LocalStack) -> str:
    return f"arn:aws:dynamodb:us-east-1:123456789012:table/{stack.tables[table]}"


def test_template_translates_and_every_function_has_a_role() -> None:
    cfn = translated(template())
    functions = {k for k, v in cfn["Resources"].items() if v["Type"] == "AWS::Lambda::Function"}
    assert functions == {"SlackFunction", "IngestFunction", "FeedsFunction", "DigestFunction", "WorkerFunction"}
    assert not any(v["Type"].startswith("AWS::Serverless::") for v in cfn["Resources"].values())


def test_roles_grant_what_each_function_writes_and_nothing_more(aws: LocalStack) -> None:
    granted = roles(aws.names)
    slack, feeds = granted["SlackFunction"], granted["FeedsFunction"]
    assert slack.allows(Call("dynamodb:PutItem", _arn("PostsTable", aws)))  # event ids, to drop Slack's retries
    assert not slack.allows(Call("dynamodb:GetItem", _arn("StoriesTable", aws)))  # item 7: no unused stories read
    assert not slack.allows(Call("ssm:DescribeParameters", "*"))
    assert feeds.allows(Call("dynamodb:Query", _arn("StoriesTable", aws) + "/index/by_country"))
    assert not feeds.allows(Call("dynamodb:PutItem", _arn("StoriesTable", aws)))
    ingest = granted["IngestFunction"]
    bucket = f"arn:aws:s3:::{aws.bucket}"
    assert ingest.allows(Call("s3:GetObject", f"{bucket}/incoming/a.json"))
    assert ingest.allows(Call("s3:PutObject", f"{bucket}/rejected/a.json"))
    assert not ingest.allows(Call("s3:PutObject", f"{bucket}/incoming/a.json"))
    assert not ingest.allows(Call("s3:PutLifecycleConfiguration", bucket))
    secret = f"arn:aws:ssm:us-east-1:123456789012:parameter/{aws.parameters['WebhookSecretParameter']}"
    assert ingest.allows(Call("ssm:GetParameter", secret)) and not slack.allows(Call("ssm:GetParameter", secret))


def test_a_role_without_the_statement_is_refused_with_the_statement_named(aws: LocalStack) -> None:
    """Today's main: the Slack function had no grant on the posts table. Take the grant out again and call."""
    doctored: dict[str, Any] = copy.deepcopy(template())
    policies = doctored["Resources"]["SlackFunction"]["Properties"]["Policies"]
    policies[:] = [p for p in policies if "PostsTable" not in str(p)]
    ENFORCER.roles = roles(aws.names, translated(doctored))
    ddb = aws.client("dynamodb")
    item = {"channel": {"S": "~slack-event"}, "story_id": {"S": "Ev1"}}
    ddb.put_item(TableName=aws.tables["PostsTable"], Item=item)  # the test itself is not checked
    from botocore.exceptions import ClientError

    with ENFORCER.acting_as("SlackFunction"), pytest.raises(ClientError) as refused:
        ddb.put_item(TableName=aws.tables["PostsTable"], Item=item)
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    (denial,) = ENFORCER.denials
    assert "SlackFunction is not allowed dynamodb:PutItem" in str(denial) and "!GetAtt PostsTable.Arn" in str(denial)
    ENFORCER.denials.clear()  # refused on purpose: not this test's failure
    ENFORCER.roles = roles(aws.names)
    with ENFORCER.acting_as("SlackFunction"):
        ddb.put_item(TableName=aws.tables["PostsTable"], Item=item)
    assert ENFORCER.denials == []


def test_resolver_evaluates_the_intrinsics_the_template_uses() -> None:
    names = Names(stack_id="arn:aws:cloudformation:us-east-1:123456789012:stack/My-Very-Long-Stack-Name/abc-123")
    names.refs["T"] = "table-1"
    names.attrs[("Q", "QueueName")] = "q-1"
    bucket = template()["Resources"]["ArticlesBucket"]["Properties"]["BucketName"]
    assert names.resolve(bucket) == "headlines-articles-abc-123"
    sub = {"Fn::Sub": "arn:${AWS::Partition}:x:${AWS::Region}:${T}/${Q.QueueName}"}
    assert names.resolve(sub) == "arn:aws:x:us-east-1:table-1/q-1"
    with pytest.raises(KeyError):
        names.resolve({"Ref": "Unknown"})
