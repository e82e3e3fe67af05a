"""`Authorization: Token <key>`: django-rest-knox's tokens, with the answers we promise.

An expired token is deleted and answered 401 `token_expired` (signing in again gives a
new one); a key that cannot be a token is refused before it reaches the database; a
token's last use is recorded at most once a minute (clinic/tokens.py).
"""

from __future__ import annotations

import re
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from clinic.models import ApiToken
from clinic.tokens import token_touch

# knox's keys are hex (older DRF keys, carried over by a migration, too). Anything else,
# a NUL byte above all, would only reach PostgreSQL as an error.
_KEY = re.compile(r"[0-9a-f]{40,128}")


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            raise invalid from None
        if not _KEY.fullmatch(key):
            raise invalid
        digest = hash_token(key)
        # As knox does: candidates by the key's first characters, then the digest compared
        # in constant time.
        # The user's role profile comes in the same query (a runner's with its clinic, a
        # therapist's): permissions and runners.selectors.runner_of then ask nothing more.
        candidates = ApiToken.objects.select_related(
            "user", "user__runner__clinic", "user__therapist"
        ).filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH])
        auth_token = next((t for t in candidates if compare_digest(digest, t.digest)), None)
        if auth_token is None:
            raise invalid
        now = timezone.now()
        if auth_token.expiry is not None and auth_token.expiry <= now:
            auth_token.delete()
            raise exceptions.AuthenticationFailed(
                _("Your sign-in has expired. Please sign in again."), code="token_expired"
            )
        user, auth_token = self.validate_user(auth_token)
        token_touch(auth_token, now=now)
        return user, auth_token

    def validate_user(self, auth_token: ApiToken):
        # Deactivation deletes the user's tokens (clinic.models.User.save); this is the
        # check for a row changed behind the model's back.
        if not auth_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return auth_token.user, auth_token
