"""The dashboard's SVG charts: drawn from templates, auto-escaped, locale-proof numbers."""

import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from booking.staff import charts
from booking.staff.reports import attendance_report
from tests.booking.staff.conftest import at

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>&'


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_the_dashboard_draws_both_charts_and_escapes_a_hostile_clinic_and_therapist_name(
    persona, client, clinic, therapist, clinic_admin, make_session
):
    clinic.name = f"Clinic {HOSTILE}"
    clinic.save()
    therapist.display_name = f"Ana {HOSTILE}"
    therapist.save()
    make_session(at(2026, 11, 2, 10), "attended")
    make_session(at(2026, 11, 3, 10), "no_show")
    client = persona("clinic_admin").page
    q = f"?start=2026-11-01&end=2026-11-30&group_by=week&therapist={therapist.pk}"
    r = client.get(reverse("staff:dashboard") + q)
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('<svg class="chart"') == 2
    assert '<title id="counts-t">Sessions by outcome</title>' in html
    assert '<title id="rate-t">Attendance rate</title>' in html
    assert "<title>2 Nov: Attended 1</title>" in html  # one bar per outcome
    assert "<title>2 Nov: 50%</title>" in html  # one point per rated week
    assert "<script>alert" not in html
    assert "Clinic &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in html
    assert "Ana &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in html


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_chart_coordinates_keep_a_decimal_point_in_spanish(clinic, make_session):
    make_session(at(2026, 11, 2, 10), "attended")
    make_session(at(2026, 11, 10, 10), "no_show")
    report = attendance_report(
        clinic=clinic, start=date(2026, 11, 1), end=date(2026, 11, 30), group_by="week"
    )
    with translation.override("es"):
        svg = render_to_string(charts.TEMPLATE, {"chart": charts.rate_chart(report)})
    numbers = re.findall(r' (?:x|y|cx|cy|x1|x2|y1|y2)="([^"]*)"', svg)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers), numbers
    assert '<title id="rate-t">Tasa de asistencia</title>' in svg


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_the_count_axis_has_whole_numbers_and_the_period_is_the_last_eight_weeks(
    persona, client, clinic_admin, make_session
):
    # Regression: with a handful of sessions the axis read 0, 1.25, 2.5, 3.75, 5.
    for day in (2, 3, 4):
        make_session(at(2026, 11, 20 + day, 10), status="attended")
    html = persona("clinic_admin").page.get(reverse("staff:dashboard")).content.decode()
    ticks = re.findall(r'text-anchor="end" fill="#1a1a1a">([^<]+)</text>', html)
    counts = ticks[: len(ticks) // 2]
    assert counts == ["0", "1", "2", "3", "4"]
    assert 'value="2026-10-07"' in html  # 8 weeks ending today
    assert "All sessions" in html and ">Booked<" not in html
    assert '<h3 id="counts-h">Sessions by outcome</h3>' in html


@pytest.mark.clock(at(2026, 12, 1, 9))
def test_the_charts_are_described_in_words_and_the_table_is_newest_first(
    persona, client, clinic_admin, make_session
):
    make_session(at(2026, 11, 2, 10), "attended")
    make_session(at(2026, 11, 3, 10), "no_show")
    make_session(at(2026, 11, 24, 10), "attended")
    html = persona("clinic_admin").page.get(reverse("staff:dashboard")).content.decode()
    assert 'aria-labelledby="counts-t" aria-describedby="counts-d"' in html
    assert "In all: all sessions 3; attended 2; no-show 1;" in html
    assert (
        "67% over the whole period; 50% in the week or month of 2 Nov, 100% in that of 23 Nov"
        in html
    )
    rows = re.findall(r'<th scope="row">([^<]+)</th>', html)
    assert rows[0] == "30 Nov 2026" and rows[-1] == "5 Oct 2026"
