"""`make restore FILE=... [TARGET_DATABASE_URL=...] [FORCE=1]`: pg_restore a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic import backups


class Command(BaseCommand):
    help = (
        "Restore a backup (make backup) into a database, created when it does not exist. "
        "A database that already holds tables is refused unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--target",
            default="",
            help="postgres:// URL of the database to restore into (default: DATABASE_URL)",
        )
        parser.add_argument(
            "--force", action="store_true", help="replace what a non-empty target holds"
        )

    def handle(self, *args, **opts):
        try:
            target = backups.database_from_url(opts["target"]) if opts["target"] else None
            restored = backups.restore(path=opts["file"], target=target, force=opts["force"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {opts['file']} into the database {restored['NAME']}.")
