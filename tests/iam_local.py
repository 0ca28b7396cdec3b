"""IAM as deployed, enforced on the local AWS: each handler's boto3 calls are checked against its function's role.

moto does not enforce IAM, so a function whose role lacks a grant passes every local test and fails on AWS
(the Slack function writing its event ids to the posts table did). Here template.yaml is translated by
aws-sam-translator (policy templates expanded into the roles `sam deploy` creates), every `Ref`/`GetAtt`/`Sub`
is resolved to the names of the resources the test created on moto, and a botocore hook on every client
checks each call made while a handler runs (`acting_as`) against that function's statements: action and
resource ARN, IAM wildcards. A call the role would not allow gets AWS's answer (`AccessDeniedException`)
and is recorded; the `aws` fixture then fails the test naming the function, action, resource and the
statement to add. Calls made by the test itself (setting up, reading results) are not checked.

Limits, on purpose: identity policies only (no resource policies, permission boundaries or SCPs); a
statement with a `Condition` grants nothing here; only the services Headlines calls are mapped to IAM
resources (another service's call needs a grant on `*`).
"""

from __future__ import annotations

import copy
import fnmatch
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlparse

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
PARTITION = "aws"

# The AWS managed policies SAM attaches (their statements as AWS publishes them).
_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
MANAGED: dict[str, list[dict[str, Any]]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": [{"Effect": "Allow", "Action": _LOGS, "Resource": "*"}],
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS],
            "Resource": "*",
        }
    ],
}


def translated(template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template `sam deploy` submits: SAM resources expanded by aws-sam-translator.

    Code locations are filled in as `sam package` would (an S3 zip, an ECR image); nothing else changes.
    """
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.translator import Translator

    sam = copy.deepcopy(template)
    for res in sam["Resources"].values():
        if res["Type"] == "AWS::Serverless::Function":
            if res["Properties"].get("PackageType") == "Image":
                res["Properties"]["ImageUri"] = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/headlines:worker"
            else:
                res["Properties"]["CodeUri"] = "s3://sam-artifacts/headlines.zip"
    session = boto3.session.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    translator = Translator(managed_policy_map=None, sam_parser=Parser(), boto_session=session)
    try:
        return translator.translate(sam, parameter_values={}, get_managed_policy_map=lambda: {})
    except InvalidDocumentException as exc:
        raise AssertionError(f"aws-sam-translator refused template.yaml: {[str(c) for c in exc.causes]}") from exc


@lru_cache(maxsize=1)
def translated_template() -> dict[str, Any]:
    from tests.aws_local import template

    return translated(template())


@dataclass
class Names:
    """What each logical id resolves to on the local AWS: `Ref` values, `GetAtt` attributes, pseudo parameters."""

    refs: dict[str, str] = field(default_factory=dict)
    attrs: dict[tuple[str, str], str] = field(default_factory=dict)
    stack_id: str = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/headlines-test/00000000-0000-0000-0000-000000000000"

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": PARTITION,
            "AWS::StackId": self.stack_id,
            "AWS::StackName": self.stack_id.split("/")[1],
            "AWS::URLSuffix": "amazonaws.com",
        }

    def ref(self, name: str) -> str:
        if name in self.pseudo():
            return self.pseudo()[name]
        if name not in self.refs:
            raise KeyError(f"no local value for Ref {name}")
        return self.refs[name]

    def resolve(self, node: Any) -> Any:
        """Evaluate the intrinsic functions template.yaml uses (Ref, GetAtt, Sub, Join, Select, Split)."""
        if isinstance(node, list):
            return [self.resolve(n) for n in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1 or not next(iter(node)).startswith(("Ref", "Fn::")):
            return {k: self.resolve(v) for k, v in node.items()}
        ((fn, arg),) = node.items()
        if fn == "Ref":
            return self.ref(arg)
        if fn == "Fn::GetAtt":
            logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            if (logical, attr) not in self.attrs:
                raise KeyError(f"no local value for GetAtt {logical}.{attr}")
            return self.attrs[(logical, attr)]
        if fn == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

            def sub(m: re.Match[str]) -> str:
                name = m.group(1)
                if name in local:
                    return str(local[name])
                if "." in name and not name.startswith("AWS::"):
                    return str(self.resolve({"Fn::GetAtt": name}))
                return self.ref(name)

            return re.sub(r"\$\{([^}!]+)\}", sub, text)
        if fn == "Fn::Join":
            return str(arg[0]).join(str(v) for v in self.resolve(arg[1]))
        if fn == "Fn::Select":
            return self.resolve(arg[1])[int(self.resolve(arg[0]))]
        if fn == "Fn::Split":
            return str(self.resolve(arg[1])).split(arg[0])
        raise KeyError(f"unsupported intrinsic {fn}")


@dataclass(frozen=True)
class Call:
    """One IAM authorization an API call needs."""

    action: str
    resource: str


def _arn(service: str, rest: str) -> str:
    return f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:{rest}"


def _table(name: str, index: str | None = None) -> str:
    return _arn("dynamodb", f"table/{name}" + (f"/index/{index}" if index else ""))


def _queue(url: str) -> str:
    return _arn("sqs", urlparse(url).path.rstrip("/").rsplit("/", 1)[-1])


def _parameter(name: str) -> str:
    return _arn("ssm", "parameter/" + name.lstrip("/"))


_DDB_TRANSACT = {
    "ConditionCheck": "ConditionCheckItem",
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "Get": "GetItem",
}
_S3_ACTION = {
    "HeadObject": "GetObject",
    "CopyObject": "PutObject",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "DeleteObjects": "DeleteObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "AbortMultipartUpload": "AbortMultipartUpload",
}
_SQS_ACTION = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def required(service: str, operation: str, params: dict[str, Any]) -> list[Call]:
    """The IAM action(s) and resource ARN(s) AWS authorizes for this API call."""
    if service == "dynamodb":
        if operation in ("TransactWriteItems", "TransactGetItems"):
            return [
                Call(f"dynamodb:{_DDB_TRANSACT[kind]}", _table(body["TableName"]))
                for item in params["TransactItems"]
                for kind, body in item.items()
            ]
        if operation in ("BatchWriteItem", "BatchGetItem"):
            return [Call(f"dynamodb:{operation}", _table(name)) for name in params["RequestItems"]]
        if "TableName" in params:
            return [Call(f"dynamodb:{operation}", _table(params["TableName"], params.get("IndexName")))]
    if service == "sqs":
        action = f"sqs:{_SQS_ACTION.get(operation, operation)}"
        if "QueueUrl" in params:
            return [Call(action, _queue(params["QueueUrl"]))]
        if "QueueName" in params:
            return [Call(action, _arn("sqs", params["QueueName"]))]
    if service == "s3" and "Bucket" in params:
        bucket = f"arn:{PARTITION}:s3:::{params['Bucket']}"
        action = f"s3:{_S3_ACTION.get(operation, operation)}"
        if operation == "DeleteObjects":
            return [Call(action, f"{bucket}/{o['Key']}") for o in params["Delete"]["Objects"]]
        calls = [Call(action, f"{bucket}/{params['Key']}" if "Key" in params else bucket)]
        if operation == "CopyObject":
            source = params["CopySource"]
            if isinstance(source, dict):
                source = f"{source['Bucket']}/{source['Key']}"
            calls.append(Call("s3:GetObject", f"arn:{PARTITION}:s3:::{unquote(source.split('?')[0].lstrip('/'))}"))
        return calls
    if service == "ssm":
        if "Name" in params:
            return [Call(f"ssm:{operation}", _parameter(params["Name"]))]
        if "Names" in params:
            return [Call(f"ssm:{operation}", _parameter(n)) for n in params["Names"]]
        if "Path" in params:
            return [Call(f"ssm:{operation}", _parameter(params["Path"]))]
    return [Call(f"{service}:{operation}", "*")]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str, *, case: bool) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


@dataclass
class Role:
    function: str
    statements: list[dict[str, Any]]

    def allows(self, call: Call) -> bool:
        allowed = False
        for st in self.statements:
            if "Condition" in st or "NotAction" in st or "NotResource" in st:
                continue  # not modelled: grants nothing here
            hit = any(_matches(a, call.action, case=False) for a in _as_list(st["Action"])) and any(
                _matches(r, call.resource, case=True) for r in _as_list(st["Resource"])
            )
            if hit and st["Effect"] == "Deny":
                return False
            allowed = allowed or (hit and st["Effect"] == "Allow")
        return allowed


def roles(names: Names, cfn: dict[str, Any] | None = None) -> dict[str, Role]:
    """Each Lambda function's statements (inline policies + the managed ones SAM attaches), resolved locally."""
    cfn = cfn or translated_template()
    resources = cfn["Resources"]
    out = {}
    for logical, res in resources.items():
        if res["Type"] != "AWS::Lambda::Function":
            continue
        role_id = res["Properties"]["Role"]["Fn::GetAtt"][0]
        props = resources[role_id]["Properties"]
        statements: list[dict[str, Any]] = []
        for arn in props.get("ManagedPolicyArns", []):
            assert arn in MANAGED, f"{logical}: managed policy {arn} is not modelled in tests/iam_local.py"
            statements += MANAGED[arn]
        for policy in props.get("Policies", []):
            statements += [names.resolve(st) for st in _as_list(policy["PolicyDocument"]["Statement"])]
        out[logical] = Role(logical, statements)
    return out


@dataclass
class Denial:
    function: str
    call: Call
    operation: str
    logical: str = ""  # the template resource the ARN belongs to, when known

    def __str__(self) -> str:
        target = f"!GetAtt {self.logical}.Arn" if self.logical else self.call.resource
        return (
            f"{self.function} is not allowed {self.call.action} on {self.call.resource} (boto3 {self.operation}): "
            f"add to its Policies in template.yaml a statement {{Effect: Allow, Action: {self.call.action}, "
            f"Resource: {target}}}"
        )


class Enforcer:
    """Checks the calls of whichever function is running (`acting_as`) against its role; records denials."""

    def __init__(self) -> None:
        self.roles: dict[str, Role] = {}
        self.names = Names()
        self.acting: list[str] = []
        self.denials: list[Denial] = []

    @contextmanager
    def acting_as(self, function: str) -> Iterator[None]:
        assert function in self.roles, f"no role for {function}"
        self.acting.append(function)
        try:
            yield
        finally:
            self.acting.pop()

    def check(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        """botocore `before-parameter-build` hook: raise AWS's AccessDenied for a call the role does not allow."""
        if not self.acting:
            return
        role = self.roles[self.acting[-1]]
        service = model.service_model.signing_name
        for call in required(service, model.name, params):
            if not role.allows(call):
                arns = {v: k for (k, attr), v in self.names.attrs.items() if attr == "Arn"}
                owner = next((arns[a] for a in sorted(arns, key=len, reverse=True) if call.resource.startswith(a)), "")
                denial = Denial(role.function, call, model.name, owner)
                self.denials.append(denial)
                from botocore.exceptions import ClientError

                code = "AccessDeniedException" if service in ("dynamodb", "ssm") else "AccessDenied"
                raise ClientError(
                    {
                        "Error": {
                            "Code": code,
                            "Message": f"User is not authorized to perform: {call.action} "
                            f"on resource: {call.resource} (local IAM: {denial})",
                        }
                    },
                    model.name,
                )


ENFORCER = Enforcer()


def install(create_client: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap botocore's `Session.create_client` so every client made from now on carries the check."""

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = create_client(self, *args, **kwargs)
        made.meta.events.register("before-parameter-build", ENFORCER.check)
        return made

    return wrapped


def handler_targets() -> dict[str, str]:
    """Function logical id -> its handler path (`module.attr`), from template.yaml."""
    from tests.aws_local import resources_of_type

    out = {}
    for name, fn in resources_of_type("AWS::Serverless::Function").items():
        props = fn["Properties"]
        out[name] = props.get("Handler") or props["ImageConfig"]["Command"][0]
    return out
