"""API tokens, one per signed-in device, and signing out: the one home for both.

Each sign-in through the API (POST /api/v1/auth/token/) gets a token of its own
(django-rest-knox; only its hash is stored), labelled with the device it came from.
Staff tokens end STAFF_SESSION_AGE after sign-in, as their sessions do; runners' after
API_TOKEN_AGE. A user sees their devices on their profile (or the devices page) and in the
API, and can revoke each one, or sign out everywhere else. A new password or deactivation
revokes them all (clinic.models.User.save).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.models import ApiToken, User
from clinic.permissions import has_short_sign_ins

# last_used is a hint for the person reading their devices list, not an audit log: one
# write per token per minute at most, however many requests it makes.
LAST_USED_RESOLUTION = timedelta(minutes=1)
DEVICE_MAX_LENGTH = ApiToken._meta.get_field("device").max_length


def token_lifetime(user: User) -> timedelta:
    seconds = settings.STAFF_SESSION_AGE if has_short_sign_ins(user) else settings.API_TOKEN_AGE
    return timedelta(seconds=int(seconds))


def device_label(*, device: str = "", user_agent: str = "") -> str:
    """What the client called itself, else its User-Agent: one line, no control
    characters, cut to fit."""
    text = device or user_agent or ""
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(text.split())[:DEVICE_MAX_LENGTH]


def tokens_for(user: User, *, now: datetime | None = None) -> QuerySet[ApiToken]:
    """The user's live tokens, the most recently used first."""
    now = now or timezone.now()
    return ApiToken.objects.filter(
        Q(expiry__gt=now) | Q(expiry__isnull=True), user_id=user.pk
    ).order_by(Coalesce("last_used", "created").desc(), "-id")


@transaction.atomic
def token_create(*, user: User, device: str = "") -> tuple[ApiToken, str]:
    """A new token for one device: (the row, the key to hand to the client once).

    Expired tokens of the user go; beyond API_TOKENS_PER_USER live ones, the least
    recently used are signed out rather than the new sign-in refused."""
    now = timezone.now()
    ApiToken.objects.filter(user_id=user.pk, expiry__lte=now).delete()
    token, key = ApiToken.objects.create(user=user, expiry=token_lifetime(user), device=device)
    surplus = list(
        tokens_for(user, now=now).values_list("pk", flat=True)[settings.API_TOKENS_PER_USER :]
    )
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).delete()
    return token, key


def token_revoke(*, user: User, token_id: int) -> bool:
    """Sign one of the user's own devices out; False when there is no such token of theirs."""
    deleted, _ = ApiToken.objects.filter(user_id=user.pk, pk=token_id).delete()
    return bool(deleted)


def token_touch(token: ApiToken, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    """Revoke every API token and every browser session of the user.

    A view that wants its own browser to stay signed in calls Django's
    update_session_auth_hash(request, user) afterwards."""
    ApiToken.objects.filter(user_id=user.pk).delete()
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
