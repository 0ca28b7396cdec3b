"""Thin AWS Lambda handlers, one composition root each: `build_handler(settings, *, ...)` builds the function's
collaborators once per cold start (from `headlines.container`, unless a test hands them in), then each event is
parsed and given to one use case."""
