"""`make backup`: pg_dump (custom format) of the configured database; prints the file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic import backups


class Command(BaseCommand):
    help = "Back up the configured PostgreSQL database into var/backups/<timestamp>.dump."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=backups.BACKUP_DIR, help="where to write")

    def handle(self, *args, **opts):
        try:
            path = backups.backup(directory=opts["dir"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(path))
