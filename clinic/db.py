"""Database helpers shared by the apps' migrations and services."""

from django.db import migrations


class PostgresOnlyAddConstraint(migrations.AddConstraint):
    """AddConstraint for constraints only PostgreSQL can hold (exclusion constraints).

    The model state always carries the constraint, so `makemigrations --check` stays
    clean; on SQLite the schema skips it and the services' locked re-check holds the rule.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def is_postgres(connection) -> bool:
    return connection.vendor == "postgresql"
