"""Secrets by name: SSM SecureString parameters read through Powertools Parameters, cached 5 minutes."""

from __future__ import annotations

from typing import Any

from headlines.aws.clients import AwsError, client

SECRET_MAX_AGE = 300


def get_secret(name: str | None, *, ssm: Any | None = None) -> str | None:
    """The decrypted value of the SSM parameter `name` (None when no name is configured)."""
    if not name:
        return None
    from aws_lambda_powertools.utilities.parameters import SSMProvider
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    provider = SSMProvider(boto3_client=ssm or client("ssm"))
    try:
        value = provider.get(name, decrypt=True, max_age=SECRET_MAX_AGE)
    except GetParameterError as exc:
        raise AwsError(f"cannot read the secret parameter {name!r}: {exc}; create it with "
                       f"`aws ssm put-parameter --type SecureString --name {name} --value ...`") from exc
    return str(value) if value is not None else None
