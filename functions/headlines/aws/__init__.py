"""Adapters to AWS services: boto3 clients, the SQS job queue, S3 article ingest.

Every class takes an optional boto3 client and builds one lazily through `clients.client()`,
which honours `AWS_ENDPOINT_URL` so tests run against a local moto server.
"""

from headlines.aws.clients import AwsError, client

__all__ = ["AwsError", "client"]
