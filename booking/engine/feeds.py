"""Private calendar feeds: each runner's sessions and each therapist's agenda as an
iCalendar file at a URL with a secret token, for Google, Outlook or Apple Calendar to
subscribe to. The token is regenerated or revoked on demand (the runner's and the staff
member's own pages); a feed carries times, service, clinic and (for a therapist) the
runner's name, never health data or notes (booking.engine.calendar.sessions_feed)."""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from booking.engine.calendar import sessions_feed
from booking.models import CalendarFeed, Session
from clinic.models import Therapist, User
from runners.models import Runner

# How far back a feed reaches; everything ahead is in it.
FEED_PAST = timedelta(days=90)
FEED_STATUSES = (Session.Status.BOOKED, Session.Status.ATTENDED, Session.Status.NO_SHOW)


def _owner(user: User) -> tuple[Runner | None, Therapist | None]:
    runner = Runner.objects.filter(user=user).first()
    therapist = None if runner else Therapist.objects.filter(user=user).first()
    return runner, therapist


def feed_available(user: User) -> bool:
    """Only a runner or a therapist has sessions of their own to subscribe to."""
    runner, therapist = _owner(user)
    return runner is not None or therapist is not None


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


@transaction.atomic
def feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret URL; the old one (if any) stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


def feed_revoke(*, user: User) -> bool:
    deleted, _by_model = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def feed_sessions(user: User, *, now: datetime) -> QuerySet[Session]:
    runner, therapist = _owner(user)
    sessions = Session.objects.filter(status__in=FEED_STATUSES, start__gte=now - FEED_PAST)
    if runner is not None:
        sessions = sessions.filter(runner=runner)
    elif therapist is not None:
        sessions = sessions.filter(therapist=therapist)
    else:
        return Session.objects.none()
    return sessions.select_related("clinic", "therapist", "service", "runner__user").order_by(
        "start"
    )


def feed_body(token: str, *, now: datetime | None = None) -> bytes | None:
    """The feed for a token, or None for a token that is not (or no longer) valid."""
    now = now or timezone.now()
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    runner, therapist = _owner(feed.user)
    return sessions_feed(
        list(feed_sessions(feed.user, now=now)),
        for_therapist=runner is None and therapist is not None,
        now=now,
    )
