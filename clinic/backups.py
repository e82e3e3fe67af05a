"""Backups of the PostgreSQL database (pg_dump's custom format) and restores from them.

`make backup` / `make restore` call the `backup` and `restore` management commands, which
are thin adapters over these functions. The client tools (pg_dump, pg_restore) run with
the connection in libpq's environment variables, so no password shows in a process list.
A backup holds personal data (health notes): files and their folder are the owner's only.
"""

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import environ
import psycopg
from django.conf import settings
from django.db import connections
from psycopg import sql

BACKUP_DIR = settings.VAR_DIR / "backups"


class BackupError(Exception):
    """Something an operator can fix, said in one sentence."""


def configured_database() -> dict:
    """The database the app uses now (the configured DATABASE_URL; a test database in tests)."""
    db = connections["default"].settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "Backups are for PostgreSQL (pg_dump): set DATABASE_URL. "
            "With SQLite, copy db.sqlite3 while the app is stopped."
        )
    return db


def database_from_url(url: str) -> dict:
    db = environ.Env.db_url_config(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(f"{db['ENGINE']} is not PostgreSQL: restore needs a postgres:// URL.")
    return db


def _libpq_env(db: dict) -> dict[str, str]:
    options = db.get("OPTIONS") or {}
    pairs = {
        "PGDATABASE": db.get("NAME"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGSSLMODE": options.get("sslmode"),
        "PGCONNECT_TIMEOUT": options.get("connect_timeout"),
    }
    return {**os.environ, **{k: str(v) for k, v in pairs.items() if v not in (None, "")}}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _run(command: list[str], db: dict) -> None:
    result = subprocess.run(  # noqa: S603 (a fixed tool, arguments we built)
        command, env=_libpq_env(db), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _connect(db: dict, dbname: str | None = None) -> psycopg.Connection:
    return psycopg.connect(
        dbname=dbname or db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    )


def backup(*, directory: Path = BACKUP_DIR, now: datetime | None = None) -> Path:
    """pg_dump -Fc of the configured database into directory/<UTC timestamp>.dump."""
    db = configured_database()
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{stamp}.dump"
    n = 1
    while path.exists():  # two backups within a second
        path, n = directory / f"{stamp}-{n}.dump", n + 1
    partial = path.with_suffix(".dump.partial")
    # Written aside, then renamed: a dump that failed half-way never looks like a backup.
    partial.touch(mode=0o600)
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-password", "--file", str(partial)], db)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(path)
    return path


def _exists(db: dict) -> bool:
    with _connect(db, "postgres") as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        return found.fetchone() is not None


def _tables(db: dict) -> int:
    with _connect(db) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'"
            " AND n.nspname NOT LIKE 'pg\\_%'"
        ).fetchone()
        return count


def create_database(db: dict) -> None:
    with _connect(db, "postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def drop_database(db: dict) -> None:
    with _connect(db, "postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"]))
        )


def restore(*, path: Path, target: dict | None = None, force: bool = False) -> dict:
    """pg_restore a backup into target (default: the configured database), creating it when
    it does not exist. A target that already holds tables is refused unless force, which
    replaces what the backup holds. One transaction: on error nothing is restored."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    target = target or configured_database()
    if not _exists(target):
        create_database(target)
    elif _tables(target) and not force:
        raise BackupError(
            f"The database {target['NAME']} is not empty: restore into a new database "
            "(TARGET_DATABASE_URL=postgres://.../new_name) or replace its contents with FORCE=1."
        )
    command = [
        _tool("pg_restore"),
        "--no-password",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--dbname",
        target["NAME"],
    ]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(path)], target)
    return target
