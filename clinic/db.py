"""Database helpers shared by the apps' migrations and services."""

from django.contrib.postgres.constraints import ExclusionConstraint
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


class PostgresOnlyExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that only PostgreSQL holds; elsewhere it has no SQL at all.

    SQLite (`make run`) rebuilds a whole table for many schema changes (adding a NOT NULL
    column, for one) and would write every constraint of the model into the new table;
    an EXCLUDE clause is a syntax error there. With no SQL the rebuild leaves it out, as
    PostgresOnlyAddConstraint did when the table was made.
    """

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)
