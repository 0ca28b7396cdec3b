"""Slack request signatures, checked on the raw bytes before anything parses them.

Bolt parses the body (JSON, form, `payload=`) before its own verification middleware runs, so a hostile
unsigned body could make it raise. The Lambda handler and `headlines serve` call `is_signed` first and
answer 401 to anything unsigned; Bolt's own check stays on behind it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from slack_sdk.signature import Clock, SignatureVerifier

MAX_AGE_SECONDS = 5 * 60
"""Slack's replay window: a timestamp further from now than this is refused."""


def is_signed(secret: str, body: bytes, headers: Mapping[str, str], *, now: float | None = None) -> bool:
    """True only for a body carrying a valid `v0` signature of `secret`, made within the last five minutes.

    Never raises: a missing, non-numeric or absurd timestamp, a body that is not UTF-8 (Slack always sends
    UTF-8) or a malformed signature is simply not signed.
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    timestamp = lowered.get("x-slack-request-timestamp", "")
    signature = lowered.get("x-slack-signature", "")
    if not signature or not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    verifier = SignatureVerifier(secret) if now is None else SignatureVerifier(secret, clock=_FixedClock(now))
    return verifier.is_valid(body=text, timestamp=timestamp, signature=signature)


class _FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now
