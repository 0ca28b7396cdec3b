"""template.yaml: cfn-lint clean, and the invariants the deployment depends on hold."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from headlines.settings import Settings
from tests.aws_local import TEMPLATE, resource, resources_of_type, template

REPO = TEMPLATE.parent
FUNCTIONS = resources_of_type("AWS::Serverless::Function")


def _cfn_lint() -> list[str]:
    """The cfn-lint installed with the test environment (the dev extra), else the one on PATH."""
    exe = Path(sys.executable).with_name("cfn-lint")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("cfn-lint")
    assert found, "cfn-lint is not installed: pip install -e '.[dev]'"
    return [found]


def test_cfn_lint_reports_nothing() -> None:
    result = subprocess.run([*_cfn_lint(), str(TEMPLATE)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    """The lint test can fail: an unknown property on the queue is an error."""
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("      SqsManagedSseEnabled: true\n", "      SqsManagedSse: yes\n", 1))
    result = subprocess.run([*_cfn_lint(), str(broken)], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "E3002" in result.stdout


def _worker_sqs_event() -> dict[str, Any]:
    events = resource("WorkerFunction")["Properties"]["Events"]
    (event,) = [e for e in events.values() if e["Type"] == "SQS"]
    return event["Properties"]


def test_visibility_timeout_is_at_least_six_times_the_worker_timeout() -> None:
    visibility = int(resource("WorkQueue")["Properties"]["VisibilityTimeout"])
    timeout = int(resource("WorkerFunction")["Properties"]["Timeout"])
    assert visibility >= 6 * timeout


def test_work_queue_redrives_to_the_dead_letter_queue_after_5_receives() -> None:
    redrive = resource("WorkQueue")["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    assert int(redrive["maxReceiveCount"]) == 5
    assert resource("DeadLetterQueue")["Type"] == "AWS::SQS::Queue"
    worker_env = resource("WorkerFunction")["Properties"]["Environment"]["Variables"]
    assert int(worker_env["HEADLINES_MAX_RECEIVES"]) == int(redrive["maxReceiveCount"])
    assert worker_env["HEADLINES_DEAD_LETTER_QUEUE_URL"] == {"Ref": "DeadLetterQueue"}


def test_worker_consumes_the_work_queue_in_small_batches_with_partial_failures() -> None:
    props = _worker_sqs_event()
    assert props["Queue"] == {"Fn::GetAtt": ["WorkQueue", "Arn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= int(props["BatchSize"]) <= 10


def test_worker_is_an_image_built_from_infra_dockerfile_with_the_onnx_model() -> None:
    worker = resource("WorkerFunction")
    assert worker["Properties"]["PackageType"] == "Image"
    dockerfile = REPO / worker["Metadata"]["DockerContext"] / worker["Metadata"]["Dockerfile"]
    text = dockerfile.read_text()
    command = worker["Properties"]["ImageConfig"]["Command"]
    assert command == ["headlines.handlers.worker.handler"]
    assert '"headlines.handlers.worker.handler"' in text
    names = re.findall(r"^FROM \S+ AS (\w+)", text, re.M)
    stages = dict(zip(names, re.split(r"^FROM .*$", text, flags=re.M)[1:], strict=True))
    assert set(stages) == {"export", "runtime"}
    # Build time: pinned CPU torch, export to int8 with the check against torch.
    assert "torch==" in stages["export"] and "headlines model export --output /opt/model-onnx --int8" in stages["export"]
    assert "infra/runtime_requirements.py" in stages["export"]
    # Run time: no torch, the package without its torch-path dependencies, the exported model selected.
    assert "torch==" not in stages["runtime"] and "--no-deps" in stages["runtime"]
    assert "COPY --from=export /opt/model-onnx /opt/model-onnx" in stages["runtime"]
    assert "HEADLINES_ONNX_DIR=/opt/model-onnx" in stages["runtime"] and "HEADLINES_ENCODER=onnx" in stages["runtime"]


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    out = [(path, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _walk(value, f"{path}[{i}]")
    return out


def test_no_wildcard_allows_and_policies_name_their_resource() -> None:
    """Allow statements name actions and resources (a Deny, like the HTTPS-only bucket policy, may say s3:*)."""
    for path, node in _walk(template()["Resources"]):
        if isinstance(node, dict) and node.get("Effect") == "Allow":
            actions = node.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            assert actions and not any("*" in str(a) for a in actions), f"wildcard action at {path}: {node}"
            resources = node.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            assert resources and "*" not in resources, f"Allow on every resource at {path}"
    for name, fn in FUNCTIONS.items():
        for policy in fn["Properties"].get("Policies", []):
            assert isinstance(policy, dict) and len(policy) == 1, f"{name}: a policy template or a Statement list, got {policy}"
            ((kind, args),) = policy.items()
            assert kind == "Statement" or kind.endswith("Policy"), f"{name}: {kind}"
            if kind != "Statement":
                assert kind not in ("SSMParameterReadPolicy", "S3CrudPolicy", "S3WritePolicy"), (
                    f"{name}: {kind} grants more than needed (DescribeParameters on *, ACL/lifecycle writes)"
                )
                assert args and all(v not in ("*", "") for v in args.values()), f"{name}: {kind} must name its resource"


def test_tables_are_on_demand_with_point_in_time_recovery_and_the_indexes_the_store_queries() -> None:
    from headlines.store import dynamodb

    tables = resources_of_type("AWS::DynamoDB::Table")
    assert {"StoriesTable", "PostsTable", "SubscriptionsTable"} <= set(tables)
    for name, table in tables.items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
    stories = {i["IndexName"]: i for i in tables["StoriesTable"]["Properties"]["GlobalSecondaryIndexes"]}
    keys = [k["AttributeName"] for k in stories[dynamodb.COUNTRY_INDEX]["KeySchema"]]
    assert keys == ["country", "sort_time"]
    subs = {i["IndexName"] for i in tables["SubscriptionsTable"]["Properties"]["GlobalSecondaryIndexes"]}
    assert dynamodb.CODE_INDEX in subs
    from headlines.ask import dynamodb as vectors

    by_seq = {i["IndexName"]: i for i in tables["StoryVectorsTable"]["Properties"]["GlobalSecondaryIndexes"]}
    assert [k["AttributeName"] for k in by_seq[vectors.SEQ_INDEX]["KeySchema"]] == ["log", "seq"]
    projected = set(by_seq[vectors.SEQ_INDEX]["Projection"]["NonKeyAttributes"]) | {"story_id", "seq"}
    assert projected == {a.strip() for a in vectors._INDEXED.split(",")}  # what the index loads, no unit vectors
    for name in ("PostsTable", "StoriesTable", "IdempotencyTable", "StoryVectorsTable"):  # data that expires
        assert tables[name]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True


@pytest.mark.parametrize("name", ["IngestFunction", "FeedsFunction", "DigestFunction"])
def test_failed_asynchronous_invocations_are_kept_not_dropped(name: str) -> None:
    config = resource(name)["Properties"]["EventInvokeConfig"]
    target = {"Type": "SQS", "Destination": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}}
    assert config["DestinationConfig"]["OnFailure"] == target
    alarmed = [a["Properties"]["Dimensions"][0]["Value"] for a in resources_of_type("AWS::CloudWatch::Alarm").values()]
    assert {"Fn::GetAtt": ["FailedEventsQueue", "QueueName"]} in alarmed


def test_alarms_watch_the_dead_letter_queue_and_worker_errors() -> None:
    alarms = resources_of_type("AWS::CloudWatch::Alarm").values()
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms}
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in watched
    assert ("AWS/Lambda", "Errors") in watched
    depth = [
        a["Properties"]["Dimensions"][0]["Value"]
        for a in alarms
        if a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    ]
    assert {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]} in depth


def test_routes_triggers_and_schedules() -> None:
    routes = {}
    for name, fn in FUNCTIONS.items():
        for event in fn["Properties"].get("Events", {}).values():
            if event["Type"] == "HttpApi":
                routes[(event["Properties"]["Method"], event["Properties"]["Path"])] = name
    assert routes == {("POST", "/slack/events"): "SlackFunction", ("POST", "/articles"): "IngestFunction"}
    s3 = next(e for e in resource("IngestFunction")["Properties"]["Events"].values() if e["Type"] == "S3")
    assert s3["Properties"]["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "incoming/"}]
    for name in ("FeedsFunction", "DigestFunction"):
        kinds = {e["Type"] for e in resource(name)["Properties"]["Events"].values()}
        assert kinds == {"Schedule"}, name
    slack = resource("SlackFunction")["Properties"]
    assert slack.get("PackageType", "Zip") == "Zip" and "Image" not in str(slack)


def test_outputs_and_secret_parameters() -> None:
    tpl = template()
    assert {"SlackRequestUrl", "ArticlesBucketName", "WorkQueueUrl", "DeadLetterQueueUrl"} <= set(tpl["Outputs"])
    assert {"SlackBotTokenParameter", "SlackSigningSecretParameter", "WebhookSecretParameter"} <= set(tpl["Parameters"])
    env_values = [v for fn in FUNCTIONS.values() for v in _environment(fn).values()]
    assert not any(re.match(r"xox[bpa]-", str(v)) for v in env_values), "secrets are passed by name only"
    env_keys = {k for fn in FUNCTIONS.values() for k in _environment(fn)}
    assert not env_keys & {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}, "secrets are passed by name only"


def _environment(fn: dict[str, Any]) -> dict[str, Any]:
    merged = dict(template()["Globals"]["Function"]["Environment"]["Variables"])
    merged.update(fn["Properties"].get("Environment", {}).get("Variables", {}))
    return merged


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_environment_is_settings_the_code_reads(name: str) -> None:
    """Contract: every HEADLINES_* variable the template sets is a Settings field (a typo would be ignored)."""
    fields = {f"HEADLINES_{f.upper()}" for f in Settings.model_fields}
    for key in _environment(FUNCTIONS[name]):
        if key.startswith("HEADLINES_"):
            assert key in fields, f"{name} sets {key}, which Settings does not read"


def test_every_setting_the_template_sets_is_read_by_the_code() -> None:
    """The other half of the contract: a HEADLINES_* variable set on a function and read nowhere is drift
    (HEADLINES_BUCKET was). Reads on AWS of settings the template does not set are caught in the `aws` fixture."""
    import ast

    read: set[str] = set()
    for path in (REPO / "functions" / "headlines").rglob("*.py"):
        if path.name == "settings.py":
            continue
        read |= {n.attr for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Attribute)}
    for name in FUNCTIONS:
        for key in _environment(FUNCTIONS[name]):
            if key.startswith("HEADLINES_"):
                field = key.removeprefix("HEADLINES_").lower()
                assert field in read, f"{name} sets {key}, but no code reads settings.{field}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_handlers_exist(name: str) -> None:
    props = FUNCTIONS[name]["Properties"]
    target = props.get("Handler") or props["ImageConfig"]["Command"][0]
    module, _, attr = target.rpartition(".")
    assert callable(getattr(importlib.import_module(module), attr))


def test_zip_handlers_import_without_the_model_or_network() -> None:
    code = (
        "import sys\n"
        "import headlines.handlers.ingest, headlines.handlers.feeds, headlines.handlers.digest, headlines.handlers.worker\n"
        "heavy = [m for m in ('torch', 'transformers', 'onnxruntime', 'spacy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "functions")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


TABLES = resources_of_type("AWS::DynamoDB::Table")


@pytest.mark.parametrize("name", [*sorted(TABLES), "ArticlesBucket"])
def test_data_is_retained_on_delete_and_replacement(name: str) -> None:
    res = resource(name)
    assert res.get("DeletionPolicy") == "Retain" and res.get("UpdateReplacePolicy") == "Retain", name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_a_log_group_with_a_retention(name: str) -> None:
    groups = [
        g["Properties"]
        for g in resources_of_type("AWS::Logs::LogGroup").values()
        if g["Properties"].get("LogGroupName") == {"Fn::Sub": f"/aws/lambda/${{{name}}}"}
    ]
    assert len(groups) == 1, f"{name}: no log group /aws/lambda/<function>"
    assert groups[0]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_api_access_logs_go_to_a_log_group_with_a_retention() -> None:
    settings = resource("HttpApi")["Properties"]["AccessLogSettings"]
    (group,) = settings["DestinationArn"]["Fn::GetAtt"][:1]
    assert resource(group)["Type"] == "AWS::Logs::LogGroup" and "RetentionInDays" in resource(group)["Properties"]
    assert "$context.status" in settings["Format"] and "$context.requestId" in settings["Format"]


def test_articles_bucket_is_named_alike_everywhere_and_not_from_the_stack_name() -> None:
    """Bucket names are lowercase and at most 63 characters: a long or capitalised stack name must not break them."""
    name = resource("ArticlesBucket")["Properties"]["BucketName"]
    assert "AWS::StackName" not in json.dumps(name)
    for function in ("IngestFunction", "FeedsFunction", "WorkerFunction"):  # ingest; claim-checked jobs under jobs/
        assert resource(function)["Properties"]["Environment"]["Variables"]["HEADLINES_BUCKET"] == name, function
    prefix, subs = name["Fn::Sub"]
    assert prefix == "headlines-articles-${StackUuid}"
    assert subs == {"StackUuid": {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}}
    longest = prefix.replace("${StackUuid}", "0" * 36)
    assert len(longest) <= 63 and longest == longest.lower()
    policy = json.dumps(resource("IngestFunction")["Properties"]["Policies"])
    assert policy.count('"headlines-articles-${StackUuid}') == 0 and policy.count("s3:::headlines-articles-${StackUuid}") == 4
    assert policy.count(json.dumps(subs)[1:-1]) == 4


def _alarm_targets() -> set[tuple[str, str, str]]:
    out = set()
    for alarm in resources_of_type("AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        (dim,) = props["Dimensions"]
        value = dim["Value"]
        target = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
        out.add((props["Namespace"], props["MetricName"], target))
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    return out


def test_alarms_cover_function_errors_api_5xx_and_queues() -> None:
    targets = _alarm_targets()
    for fn in ("SlackFunction", "IngestFunction", "WorkerFunction"):
        assert ("AWS/Lambda", "Errors", fn) in targets, fn
    assert ("AWS/ApiGateway", "5xx", "HttpApi") in targets
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "DeadLetterQueue") in targets
    assert ("AWS/SQS", "ApproximateAgeOfOldestMessage", "WorkQueue") in targets


def test_alarm_topic_can_email_someone() -> None:
    sub = resource("AlarmEmailSubscription")
    assert sub["Condition"] == "HasAlarmEmail" and sub["Properties"]["Protocol"] == "email"
    assert sub["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert template()["Parameters"]["AlarmEmail"]["Default"] == ""


def test_slack_function_has_a_full_vcpu_for_its_cold_start() -> None:
    """Lambda's CPU share is memory / 1769 MB; the cold start is CPU-bound (benchmarks/slack_cold_start.py)."""
    assert int(resource("SlackFunction")["Properties"]["MemorySize"]) >= 1769


def test_samconfig_deploys_without_questions_the_guide_answers() -> None:
    """`sam deploy` with samconfig.toml: the IAM capability, managed artifact bucket and image repository, a
    change set to confirm; no account, region or secret committed."""
    import tomllib

    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    deploy = config["default"]["deploy"]["parameters"]
    assert config["default"]["global"]["parameters"]["stack_name"]
    assert "CAPABILITY_IAM" in deploy["capabilities"].split()
    assert deploy["resolve_s3"] is True and deploy["resolve_image_repos"] is True and deploy["confirm_changeset"] is True
    text = (REPO / "samconfig.toml").read_text()
    assert not re.search(r"\d{12}|region\s*=|xox[bpa]-", text), "nothing account-specific in samconfig.toml"
