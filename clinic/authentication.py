"""API tokens that expire: staff tokens after STAFF_SESSION_AGE (as their sessions do),
runners' after API_TOKEN_AGE. An expired token is deleted and answered 401
`token_expired`; signing in again (POST /api/v1/auth/token/) gives a new one."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .permissions import is_staff_account


def token_lifetime(user) -> timedelta:
    seconds = settings.STAFF_SESSION_AGE if is_staff_account(user) else settings.API_TOKEN_AGE
    return timedelta(seconds=int(seconds))


def token_expires(token: Token) -> datetime:
    return token.created + token_lifetime(token.user)


def fresh_token(user) -> Token:
    """The user's token, replaced by a new one if it has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expires(token) <= timezone.now():
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires(token) <= timezone.now():
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("Your sign-in has expired. Please sign in again."), code="token_expired"
            )
        return user, token
