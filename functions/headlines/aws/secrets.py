"""Secrets by name: SSM SecureString parameters read through Powertools Parameters, cached 5 minutes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from headlines.aws.clients import AwsError, client

SECRET_MAX_AGE = 300


@lru_cache(maxsize=4)
def _provider(ssm: Any) -> Any:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=ssm)


def get_secret(name: str | None, *, ssm: Any | None = None) -> str | None:
    """The decrypted value of the SSM parameter `name` (None when no name is configured).

    Values are cached per process for 5 minutes, so a rotated secret is picked up without a redeploy.
    """
    if not name:
        return None
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = _provider(ssm or client("ssm")).get(name, decrypt=True, max_age=SECRET_MAX_AGE)
    except GetParameterError as exc:
        raise AwsError(
            f"cannot read the secret parameter {name!r}: {exc}; create it with "
            f"`aws ssm put-parameter --type SecureString --name {name} --value ...`"
        ) from exc
    return str(value) if value is not None else None
