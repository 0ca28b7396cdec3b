"""One logging setup for every Lambda handler: Powertools Logger at `HEADLINES_LOG_LEVEL`, library loggers routed to it.

The library logs through standard `logging.getLogger("headlines....")` loggers. In Lambda those lines would
reach CloudWatch as plain text without the request's keys (or not at all below WARNING, the runtime's root
level), so there the top-level `headlines` logger gets the function Logger's JSON handler and level
(`copy_config_to_registered_loggers`); every `headlines.*` logger, including ones created later, propagates
to it. Elsewhere (CLI, tests) standard logging is left alone, so pytest's caplog still sees library lines.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

LIBRARY_LOGGER = "headlines"


def in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def lambda_logger(service: str) -> Logger:
    """The function's Powertools Logger; in Lambda the library's loggers write through it at the same level."""
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    level = _log_level()
    logger = Logger(service=service, level=level)
    if in_lambda():
        logging.getLogger(LIBRARY_LOGGER)  # registered now, so it is configured even before its children exist
        copy_config_to_registered_loggers(source_logger=logger, include={LIBRARY_LOGGER}, log_level=level)
    return logger


def _log_level() -> str:
    """`HEADLINES_LOG_LEVEL`, read without filling `get_settings()`'s cache at import (the process's settings are
    read at the first request, after any environment set up around the import); a bad setting is reported
    there, by the request, so logging still starts at INFO."""
    from pydantic import ValidationError

    from headlines.settings import Settings

    try:
        return Settings().log_level.upper()
    except ValidationError:
        return "INFO"
