"""Idempotency keys.

An Idempotency-Key promises "this request, once": the session it booked is stored with
the key and a fingerprint of the request. The same key with the same request is a retry
and gets that session back (`replayed`); with any other request it is refused (422),
whatever the first request booked. Keys are per runner."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from booking.engine.exceptions import IdempotencyKeyReused
from booking.models import Session
from runners.models import Runner


def request_fingerprint(request: dict) -> str:
    """SHA-256 of the request's input as canonical JSON (sorted keys, instants in UTC)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def utc_iso(moment: datetime) -> str:
    # 10:00+01:00 and 09:00Z are the same start: the same request.
    return moment.astimezone(UTC).isoformat()


def booking_fingerprint(
    *,
    service_id: int,
    therapist_id: int,
    start: datetime,
    discomfort_areas: Sequence[str],
    runner_note: str,
    override_reason: str,
) -> str:
    """The fingerprint of one booking's request (a series has its own: booking.engine.series)."""
    return request_fingerprint(
        {
            "service": service_id,
            "therapist": therapist_id,
            "start": utc_iso(start),
            # A set: the same areas in another order are the same request.
            "discomfort_areas": sorted(set(discomfort_areas)),
            "runner_note": runner_note,
            "override_reason": override_reason,
        }
    )


def answered_before(earlier: Session | None, fingerprint: str) -> Session | None:
    """The session a key already booked, if the request is the same; the one comparison of
    fingerprints. Sessions booked before fingerprints were kept have none: replayed, as
    they were then."""
    if earlier is None:
        return None
    if earlier.idempotency_fingerprint and earlier.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused(earlier.pk)
    earlier.replayed = True
    return earlier


def session_for_key(runner: Runner, key: str) -> Session | None:
    """The session a runner's key booked, if any (keys are per runner)."""
    return (
        Session.objects.select_related("therapist", "clinic")
        .filter(runner=runner, idempotency_key=key)
        .first()
    )


def booked_with_key(runner: Runner, key: str, fingerprint: str) -> Session | None:
    return answered_before(session_for_key(runner, key), fingerprint)
