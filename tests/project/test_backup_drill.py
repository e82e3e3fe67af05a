"""The backup drill: back up, write more, restore into a new database, and the restored
rows are the state at backup time (what was written later is absent)."""

import io
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from booking.models import Session
from clinic import backups
from devtools.factories import RunnerFactory, SessionFactory, UserFactory
from tests.conftest import IN_CI

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Enough of the schema to see a difference: people, their health notes, sessions, history.
SNAPSHOT = {
    "clinic_user": "SELECT id, email, is_active FROM clinic_user",
    "runners_runner": "SELECT id, user_id, health_notes FROM runners_runner",
    "booking_session": "SELECT id, runner_id, status, start FROM booking_session",
    "booking_sessionevent": "SELECT id, session_id, kind FROM booking_sessionevent",
}


@pytest.fixture(autouse=True)
def _client_tools():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        message = "needs pg_dump and pg_restore (apt-get install postgresql-client)"
        if IN_CI:
            pytest.fail("CI: " + message)
        pytest.skip(message)


def in_a_week():
    return timezone.now() + timedelta(days=7)


def snapshot(db: dict) -> dict:
    with backups._connect(db) as conn:
        return {table: sorted(conn.execute(q).fetchall()) for table, q in SNAPSHOT.items()}


def url(db: dict) -> str:
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def live():
    return dict(connection.settings_dict)


@pytest.fixture
def drill_db(live):
    """A new database named after the test database, dropped afterwards."""
    target = {**live, "NAME": f"{live['NAME']}_restore_drill"}
    backups.drop_database(target)
    yield target
    backups.drop_database(target)


def test_a_backup_restored_into_a_new_database_holds_the_state_at_backup_time(
    tmp_path, live, drill_db, alice, therapist, service
):
    SessionFactory(runner=alice, therapist=therapist, service=service)
    alice.health_notes = "Left calf, before the backup"
    alice.save()
    at_backup = snapshot(live)

    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    dump = Path(out.getvalue().strip())
    assert dump.parent == tmp_path and dump.suffix == ".dump" and dump.stat().st_size > 0
    assert dump.stat().st_mode & 0o777 == 0o600  # personal data: the owner's only
    assert not list(tmp_path.glob("*.partial"))

    # Written after the backup: a runner, a session, a changed note.
    later = RunnerFactory(clinic=alice.clinic, user=UserFactory(email="later@runners.test"))
    SessionFactory(runner=later, therapist=therapist, service=service, start=in_a_week())
    alice.health_notes = "Changed after the backup"
    alice.save()
    assert snapshot(live) != at_backup

    call_command("restore", str(dump), "--target", url(drill_db), stdout=io.StringIO())
    restored = snapshot(drill_db)
    assert restored == at_backup
    assert later.user.email not in {row[1] for row in restored["clinic_user"]}
    # The live database is untouched by the restore.
    assert Session.objects.count() == 2


def test_restore_refuses_a_database_that_holds_tables_unless_forced(
    tmp_path, live, drill_db, alice, therapist, service
):
    SessionFactory(runner=alice, therapist=therapist, service=service)
    dump = backups.backup(directory=tmp_path)
    # Into the configured database, which is not empty: refused, nothing changed.
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(dump), stdout=io.StringIO())
    assert Session.objects.count() == 1

    backups.restore(path=dump, target=drill_db)
    RunnerFactory(clinic=alice.clinic)  # the live database moves on
    second = backups.backup(directory=tmp_path)
    with pytest.raises(backups.BackupError, match="is not empty"):
        backups.restore(path=second, target=drill_db)
    backups.restore(path=second, target=drill_db, force=True)
    assert snapshot(drill_db) == snapshot(live)


def test_backup_and_restore_say_what_is_wrong(tmp_path, drill_db):
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "missing.dump"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not PostgreSQL"):
        call_command(
            "restore", str(tmp_path / "x.dump"), "--target", "sqlite:///x.db", stdout=io.StringIO()
        )
