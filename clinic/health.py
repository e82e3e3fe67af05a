"""Liveness and readiness checks for the container orchestrator."""

from pathlib import Path

from django.conf import settings
from django.db import connection


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure means not ready
        return False, exc.__class__.__name__


def broker_ok() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis"):
        import redis

        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            client.ping()
            return True, "ok"
        except Exception as exc:
            return False, exc.__class__.__name__
    if url.startswith("filesystem"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        return (folder.is_dir(), "ok" if folder.is_dir() else "missing broker folder")
    return True, "unchecked"
