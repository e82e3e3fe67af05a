"""The therapist sees the runner's last 14 days of training (issue 20) on the agenda and
the session page: daily minutes in a small chart, demanding days marked, the same in text;
only for a runner with a session at the therapist's clinic; few queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from devtools.factories import TrainingFactory
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 18, 9)  # Wednesday


def _fortnight(runner):
    for days in (2, 4, 5, 6, 8, 9, 12):  # easy runs
        TrainingFactory(runner=runner, start=at(2026, 11, 18, 7) - timedelta(days=days), minutes=45)
    TrainingFactory(  # Sunday 15 November: the long run
        runner=runner,
        start=at(2026, 11, 15, 8),
        finish=at(2026, 11, 15, 10, 30),
        minutes=150,
        distance_km=Decimal("28"),
        kind="long",
    )
    TrainingFactory(runner=runner, start=at(2026, 10, 1, 8), minutes=300)  # long ago: not shown


@pytest.mark.clock(NOW)
def test_agenda_and_session_page_show_the_load(
    persona, bob, make_session, django_assert_max_num_queries
):
    session = make_session(at(2026, 11, 18, 17), runner=bob)
    _fortnight(bob)
    client = persona("therapist").page
    with django_assert_max_num_queries(17):
        html = client.get(reverse("staff:agenda")).content.decode()
    assert "Training load" in html
    assert "465 minutes over 8 days" in html  # 7 x 45 + 150; October's run left out
    assert "demanding: Sun 15 Nov (long run)" in html
    assert 'role="img"' in html and "Last 14 days: 465 minutes over 8 days, 1 demanding." in html
    page = client.get(reverse("staff:session", args=[session.pk])).content.decode()
    assert "465 minutes over 8 days" in page and "Day by day" in page


@pytest.mark.clock(NOW)
def test_in_spanish(persona, bob, make_session):
    make_session(at(2026, 11, 18, 17), runner=bob)
    _fortnight(bob)
    client = persona("therapist").page
    html = client.get(reverse("staff:agenda"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Carga de entrenamiento" in html and "465 minutos en 8 días" in html


@pytest.mark.clock(NOW)
def test_another_clinics_therapist_never_sees_it(persona, bob, make_session, other_therapist):
    session = make_session(at(2026, 11, 18, 17), runner=bob)
    _fortnight(bob)
    client = persona("other_therapist").page
    assert "465 minutes" not in client.get(reverse("staff:agenda")).content.decode()
    assert client.get(reverse("staff:session", args=[session.pk])).status_code in (403, 404)
