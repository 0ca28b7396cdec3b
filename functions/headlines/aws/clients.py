"""The one place boto3 clients are made; `AWS_ENDPOINT_URL` points them all at a local AWS (tests, moto)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any


class AwsError(Exception):
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
