"""The project's URLs plus views that fail on purpose, for the error-handling tests."""

from django.db import connection
from django.urls import path

from clinic.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401
from runners.models import Runner


def boom(request):
    raise RuntimeError("boom")


def leak_health_note(request):
    """Fails the way real code could: an exception and a PostgreSQL error quoting a note."""
    runner = Runner.objects.get(pk=request.GET["runner"])
    health_notes = runner.health_notes  # a local the error report would show
    if request.GET.get("kind") == "row":
        # NOT NULL violation: PostgreSQL quotes the whole failing row, note included.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE runners_runner SET health_notes = %s, timezone = NULL WHERE id = %s",
                [health_notes, runner.pk],
            )
    raise ValueError(f"could not process health_notes={health_notes!r} for {runner.pk}")


urlpatterns = [
    path("api/v1/test-boom/", boom),
    path("test-boom/", boom),
    path("test-leak/", leak_health_note),
    *urlpatterns,
]
