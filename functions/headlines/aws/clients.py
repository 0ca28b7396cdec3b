"""The one place boto3 clients are made; `AWS_ENDPOINT_URL` points them all at a local AWS (tests, moto)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from headlines.errors import UpstreamTransientError


class AwsError(UpstreamTransientError):
    """An AWS call failed; the message names the resource and what to check."""


@lru_cache(maxsize=16)
def _cached(service: str, endpoint_url: str | None, region: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30)
    return boto3.session.Session().client(service, endpoint_url=endpoint_url, region_name=region, config=config)


def client(service: str) -> Any:
    """A boto3 client for `service`, cached per process and per endpoint/region.

    `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) overrides AWS's endpoint, e.g. a moto server.
    """
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL") or None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    return _cached(service, endpoint, region)


def reset_clients() -> None:
    """Forget cached clients (tests that change the endpoint)."""
    _cached.cache_clear()


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore `ClientError` ('' for anything else)."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class DynamoDBCaller:
    """For classes over DynamoDB tables: the client made on first use (or the one handed in), and every
    call's botocore errors turned into the class's own error type, with a fix for a missing table."""

    _ddb: Any | None
    error: type[Exception] = AwsError
    page_size: int | None = None
    """`Limit` of each Query/Scan page (None: DynamoDB's 1 MB pages); small values exercise paging in tests."""

    @property
    def ddb(self) -> Any:
        if self._ddb is None:
            self._ddb = client("dynamodb")
        return self._ddb

    def missing_table(self, request: dict[str, Any]) -> str:
        """What to say when a table (or index) of `request` does not exist."""
        return f"table {request.get('TableName')!r} does not exist; deploy template.yaml"

    def _call(self, what: str, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.ddb, method)(**kwargs)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                raise self.error(f"cannot {what}: {self.missing_table(kwargs)}") from exc
            raise self.error(f"cannot {what}: {exc}") from exc
        except BotoCoreError as exc:
            raise self.error(f"cannot {what}: {exc}") from exc

    def _paged(self, what: str, method: str, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a Query or Scan, following `LastEvaluatedKey` page by page."""
        items: list[dict[str, Any]] = []
        if self.page_size:
            kwargs["Limit"] = self.page_size
        while True:
            page = self._call(what, method, **kwargs)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
