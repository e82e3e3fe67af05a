"""Property tests on the availability and booking inputs: whatever arrives, the answer is
a 2xx or a 4xx with a machine `code` and a sentence, never a 500; a refused booking
leaves nothing behind.

    pytest tests/booking/api/test_property_inputs.py --hypothesis-show-statistics
(PROPERTY_EXAMPLES raises the number of examples; 60 by default.)
"""

import os
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle

from booking.models import Session

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

junk = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "null", "[]", "{}", "0x10", "1e400", "９", "\x00", "' OR 1=1 --"]),
)


def dates_near():
    return st.dates(min_value=datetime(1, 1, 1).date(), max_value=datetime(9999, 12, 31).date())


def date_inputs():
    return st.one_of(
        dates_near().map(lambda d: d.isoformat()),
        st.integers(min_value=-5, max_value=120).map(
            lambda n: (datetime.now(UTC).date() + timedelta(days=n)).isoformat()
        ),
        st.datetimes().map(lambda d: d.isoformat()),  # naive datetime where a date goes
        junk,
    )


def offsets():
    return st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda m: timezone(timedelta(minutes=m))
    )


def datetime_inputs():
    soon = datetime.now(UTC) + timedelta(days=3)
    return st.one_of(
        # aware, in any offset, near now (some of them bookable)
        st.builds(
            lambda h, q, tz: (
                soon.replace(minute=0, second=0, microsecond=0) + timedelta(hours=h, minutes=15 * q)
            )
            .astimezone(tz)
            .isoformat(),
            st.integers(min_value=-200, max_value=2000),
            st.integers(min_value=0, max_value=3),
            offsets(),
        ),
        st.datetimes(
            min_value=datetime(1, 1, 2),
            max_value=datetime(9999, 12, 30),
            timezones=offsets().map(lambda x: x),
        ).map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat()),  # naive
        dates_near().map(lambda d: d.isoformat()),
        junk,
    )


def id_inputs(*valid):
    return st.one_of(
        st.sampled_from(valid),
        st.integers(min_value=-(2**63), max_value=2**64),
        junk,
        st.none(),
    )


def assert_coded(response):
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("code"), str) and body["code"], body
        assert isinstance(body.get("detail"), str) and body["detail"], body


@pytest.fixture
def no_throttle(monkeypatch):
    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "1000000/min")


@pytest.mark.postgres
def test_availability_never_fails_whatever_the_query(
    client, service, therapist, other_therapist, no_throttle
):
    @PROPERTY
    @given(
        service_id=id_inputs(service.pk),
        start=date_inputs(),
        end=date_inputs(),
        therapist_id=id_inputs(therapist.pk, other_therapist.pk),
    )
    def check(service_id, start, end, therapist_id):
        params = {"service": service_id, "start": start, "end": end}
        if therapist_id is not None:
            params["therapist"] = therapist_id
        params = {k: v for k, v in params.items() if v is not None}
        response = client.get("/api/v1/availability/", params)
        assert_coded(response)
        if response.status_code == 200:
            assert isinstance(response.json()["slots"], list)

    check()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-12-10", "2026-12-01", "inverted_range"),
        ("2026-12-01", "2029-12-01", "range_too_long"),
        ("2026-12-01T10:00:00", "2026-12-01", "invalid_date"),
        ("yesterday", "2026-12-01", "invalid_date"),
        ("9999-12-31", "9999-12-31", "date_out_of_range"),
        ("0001-01-01", "0001-01-01", "date_out_of_range"),
    ],
)
def test_availability_refusals_have_their_code(client, service, start, end, code):
    response = client.get(
        "/api/v1/availability/", {"service": service.pk, "start": start, "end": end}
    )
    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.postgres
def test_booking_never_fails_and_a_refusal_leaves_nothing(
    persona, client, alice, service, therapist, other_therapist, no_throttle
):
    client = persona("alice").page

    @PROPERTY
    @given(
        service_id=id_inputs(service.pk),
        therapist_id=id_inputs(therapist.pk, other_therapist.pk),
        start=datetime_inputs(),
        areas=st.one_of(
            st.none(),
            st.lists(st.one_of(st.sampled_from(["legs", "glutes"]), junk), max_size=8),
            junk,
        ),
        note=st.one_of(st.none(), st.text(max_size=1200)),
    )
    def check(service_id, therapist_id, start, areas, note):
        before = Session.objects.count()
        payload = {"service": service_id, "therapist": therapist_id, "start": start}
        if areas is not None:
            payload["discomfort_areas"] = areas
        if note is not None:
            payload["runner_note"] = note
        response = client.post("/api/v1/sessions/", payload, content_type="application/json")
        assert_coded(response)
        if response.status_code >= 400:
            assert Session.objects.count() == before
        elif response.status_code == 201:
            assert Session.objects.count() == before + 1
            # Free the time again so later examples can book.
            session_id = response.json()["id"]
            assert_coded(
                client.post(
                    f"/api/v1/sessions/{session_id}/cancel/", {}, content_type="application/json"
                )
            )

    check()


@pytest.mark.postgres
def test_session_actions_on_unknown_or_foreign_ids_are_coded(
    persona, client, alice, bob, service, therapist, no_throttle
):
    from devtools.factories import SessionFactory

    bobs = SessionFactory(runner=bob, therapist=therapist, service=service)
    client = persona("alice").page

    @PROPERTY
    @given(
        session_id=st.one_of(
            st.just(bobs.pk), st.integers(min_value=-(2**63), max_value=2**64), junk
        ),
        start=datetime_inputs(),
    )
    def check(session_id, start):
        session_id = quote(str(session_id), safe="")  # junk stays inside the path segment
        for url, payload in (
            (f"/api/v1/sessions/{session_id}/cancel/", {}),
            (f"/api/v1/sessions/{session_id}/reschedule/", {"start": start}),
        ):
            response = client.post(url, payload, content_type="application/json")
            assert_coded(response)
            assert response.status_code in (400, 404, 405), response.status_code
        assert Session.objects.get(pk=bobs.pk).status == Session.Status.BOOKED

    check()
