"""Secrets by name: SSM SecureString parameters read through Powertools Parameters, cached 5 minutes."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from headlines.aws.clients import AwsError, client

if TYPE_CHECKING:
    from headlines.settings import Settings

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


def with_slack_secrets(settings: Settings) -> Settings:
    """Settings with the Slack token and signing secret read from SSM when only their parameter names are set.

    In AWS the template passes `HEADLINES_SLACK_*_PARAM` (names), never the values; locally
    `SLACK_BOT_TOKEN` / `SLACK_SIGNING_SECRET` win when set.
    """
    from pydantic import SecretStr

    updates: dict[str, SecretStr] = {}
    pairs = (
        ("slack_bot_token", settings.slack_bot_token, settings.slack_bot_token_param),
        ("slack_signing_secret", settings.slack_signing_secret, settings.slack_signing_secret_param),
    )
    for field, value, param in pairs:
        if value is None and param:
            secret = get_secret(param)
            if secret:
                updates[field] = SecretStr(secret)
    return settings.model_copy(update=updates) if updates else settings
