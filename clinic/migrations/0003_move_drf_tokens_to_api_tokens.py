"""API tokens issued before knox keep working until they would have expired.

DRF's authtoken table held each key in plain text; each becomes an ApiToken holding
only knox's digest of it (sha512 of the key, as knox.crypto.hash_token computes it,
frozen here), with the expiry the old rule gave it. The old rows are then emptied so no
usable key stays in the database. Nothing to do on a database that never had the table.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import migrations
from django.utils.dateparse import parse_datetime

TOKEN_KEY_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH


def _is_staff(user) -> bool:
    # clinic.middleware.is_staff_user, as it stood when this migration was written.
    return bool(user.is_staff or user.is_superuser or user.role in ("therapist", "clinic_admin"))


def _aware(value) -> datetime:
    # A raw cursor gives SQLite's text as it is; PostgreSQL gives an aware datetime.
    value = parse_datetime(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def move_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("clinic", "ApiToken")
    User = apps.get_model("clinic", "User")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    users = User.objects.in_bulk({user_id for _key, user_id, _created in rows})
    staff_age = timedelta(seconds=int(settings.STAFF_SESSION_AGE))
    runner_age = timedelta(seconds=int(settings.API_TOKEN_AGE))
    tokens = []
    for key, user_id, created in rows:
        created = _aware(created)
        user = users.get(user_id)
        if user is None or not user.is_active:
            continue
        tokens.append(
            ApiToken(
                digest=hashlib.sha512(key.encode()).hexdigest(),
                token_key=key[:TOKEN_KEY_LENGTH],
                user=user,
                created=created,
                expiry=created + (staff_age if _is_staff(user) else runner_age),
            )
        )
    ApiToken.objects.bulk_create(tokens)
    # bulk_create sets auto_now_add fields to now; the sign-in time is the old one.
    for token in tokens:
        ApiToken.objects.filter(pk=token.pk).update(created=token.created)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_api_tokens_and_session_epoch")]

    operations = [migrations.RunPython(move_tokens, migrations.RunPython.noop)]
