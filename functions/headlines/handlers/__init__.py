"""Thin AWS Lambda handlers: parse the event, get dependencies from `headlines.container`, call one use case."""
