"""Object-level permissions, as a table: every endpoint and page, tried as anonymous,
runner A (Alice, who owns the objects), runner B (Bob), a therapist of the clinic, a
therapist of another clinic, and the clinic's admin.

Expectations:
  ok       served (2xx, or a redirect that is not to the login page)
  allowed  let through to validation (any answer but 401/403/404/5xx): for writes sent
           with an incomplete body, so that nothing changes
  login    asked to sign in (API: 401/403; page: redirect to the login page)
  no       refused or hidden (403/404, or a redirect away that is not the login page)
  refused  like no, or 400 (a forged signed link)

Each row is one test; each persona's request runs in a savepoint rolled back after it,
so a write one persona may make (Alice cancelling) does not change what the next sees.

`test_every_route_is_in_the_table` lists the project's routes and fails in CI on one that
no row covers (locally it warns), so a new endpoint cannot skip this table. The Django
admin's rows are made from its registry (tests/clinic/admin walks every admin page further).
"""

import os
import warnings
from datetime import time as datetime_time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from booking.models import Session
from clinic.tokens import token_create
from devtools.factories import RaceFactory, SessionFactory, TimeOffFactory, TrainingFactory

PERSONAS = ["anonymous", "alice", "bob", "therapist", "other_therapist", "clinic_admin"]

PUBLIC = dict.fromkeys(PERSONAS, "ok")


def runner_only(owner="ok", other="ok"):
    return {
        "anonymous": "login",
        "alice": owner,
        "bob": other,
        "therapist": "no",
        "other_therapist": "no",
        "clinic_admin": "no",
    }


def staff_only(therapist="ok", other="ok", admin="ok"):
    return {
        "anonymous": "login",
        "alice": "no",
        "bob": "no",
        "therapist": therapist,
        "other_therapist": other,
        "clinic_admin": admin,
    }


# Anyone with an account, acting on their own account.
SIGNED_IN = {**PUBLIC, "anonymous": "login"}

# Attendance reports are for the clinic admin; therapists see their agenda instead.
REPORTS = {**dict.fromkeys(PERSONAS, "no"), "anonymous": "login", "clinic_admin": "ok"}


def session_scope(owner="ok", staff="ok"):
    """Alice's session: Alice and her clinic's staff; never Bob or the other clinic."""
    return {
        "anonymous": "login",
        "alice": owner,
        "bob": "no",
        "therapist": staff,
        "other_therapist": "no",
        "clinic_admin": staff,
    }


# (route pattern it covers, method, url template, body, expectations)
TABLE = [
    ("healthz", "get", "/healthz", None, PUBLIC),
    ("readyz", "get", "/readyz", None, PUBLIC),
    ("api/schema/", "get", "/api/schema/", None, PUBLIC),
    ("api/docs/", "get", "/api/docs/", None, PUBLIC),
    ("api/redoc/", "get", "/api/redoc/", None, PUBLIC),
    ("", "get", "/", None, PUBLIC),
    ("self-care/", "get", "/self-care/", None, PUBLIC),
    ("manifest.webmanifest", "get", "/manifest.webmanifest", None, PUBLIC),
    ("time-zones.json", "get", "/time-zones.json", None, PUBLIC),
    ("favicon.ico", "get", "/favicon.ico", None, dict.fromkeys(PERSONAS, "allowed")),
    ("brand/<slug:slug>.css", "get", "/brand/madrid.css", None, PUBLIC),
    # No logo uploaded: 404 for everyone; uploaded, it is as public as the clinic's name.
    ("brand/<slug:slug>/logo", "get", "/brand/madrid/logo", None, dict.fromkeys(PERSONAS, "no")),
    ("api/v1/^clinics/$", "get", "/api/v1/clinics/", None, PUBLIC),
    ("api/v1/^clinics/(?P<pk>[^/.]+)/$", "get", "/api/v1/clinics/{clinic}/", None, PUBLIC),
    ("api/v1/^services/$", "get", "/api/v1/services/", None, PUBLIC),
    ("api/v1/^services/(?P<pk>[^/.]+)/$", "get", "/api/v1/services/{service}/", None, PUBLIC),
    ("api/v1/^therapists/$", "get", "/api/v1/therapists/", None, PUBLIC),
    (
        "api/v1/^therapists/(?P<pk>[^/.]+)/$",
        "get",
        "/api/v1/therapists/{therapist}/",
        None,
        PUBLIC,
    ),
    (
        "api/v1/availability/",
        "get",
        "/api/v1/availability/?service={service}&start={day}&end={day}",
        None,
        PUBLIC,
    ),
    # Seeing availability as a given runner (race windows) is for that runner's clinic staff.
    (
        "api/v1/availability/",
        "get",
        "/api/v1/availability/?service={service}&start={day}&end={day}&runner={alice}",
        None,
        {
            "anonymous": "ok",  # the parameter is ignored
            "alice": "ok",
            "bob": "ok",
            "therapist": "ok",
            "other_therapist": "no",
            "clinic_admin": "ok",
        },
    ),
    ("api/v1/auth/token/", "post", "/api/v1/auth/token/", {}, dict.fromkeys(PERSONAS, "allowed")),
    # One's own sign-ins: whoever is signed in, for themselves only.
    ("api/v1/auth/token/", "delete", "/api/v1/auth/token/", None, SIGNED_IN),
    ("api/v1/auth/tokens/", "get", "/api/v1/auth/tokens/", None, SIGNED_IN),
    (
        "api/v1/auth/tokens/<int:pk>/",
        "delete",
        "/api/v1/auth/tokens/{alice_token}/",
        None,
        runner_only(other="no"),
    ),
    ("account/devices/", "get", "/account/devices/", None, SIGNED_IN),
    (
        "account/devices/<int:pk>/revoke/",
        "post",
        "/account/devices/{alice_token}/revoke/",
        {},
        runner_only(other="no"),
    ),
    (
        "account/devices/sign-out-others/",
        "post",
        "/account/devices/sign-out-others/",
        {},
        SIGNED_IN,
    ),
    # The runner's own data.
    ("api/v1/me/", "get", "/api/v1/me/", None, runner_only()),
    ("api/v1/me/data/", "get", "/api/v1/me/data/", None, runner_only()),
    ("api/v1/me/delete/", "post", "/api/v1/me/delete/", {}, runner_only("allowed", "allowed")),
    ("api/v1/^races/$", "get", "/api/v1/races/", None, runner_only()),
    (
        "api/v1/^races/(?P<pk>[^/.]+)/$",
        "get",
        "/api/v1/races/{race}/",
        None,
        runner_only(other="no"),
    ),
    (
        "api/v1/^races/(?P<pk>[^/.]+)/$",
        "patch",
        "/api/v1/races/{race}/",
        {"start": "not a date"},
        runner_only("allowed", "no"),
    ),
    (
        "api/v1/^races/(?P<pk>[^/.]+)/$",
        "delete",
        "/api/v1/races/{race}/",
        None,
        runner_only("ok", "no"),
    ),
    # Trainings (issue 20): the runner's own, never another runner's nor the staff's.
    ("api/v1/^trainings/$", "get", "/api/v1/trainings/", None, runner_only()),
    ("api/v1/^trainings/$", "post", "/api/v1/trainings/", {}, runner_only("allowed", "allowed")),
    (
        "api/v1/^trainings/import/$",
        "post",
        "/api/v1/trainings/import/",
        {},
        runner_only("allowed", "allowed"),
    ),
    (
        "api/v1/^trainings/(?P<pk>[^/.]+)/$",
        "get",
        "/api/v1/trainings/{training}/",
        None,
        runner_only(other="no"),
    ),
    (
        "api/v1/^trainings/(?P<pk>[^/.]+)/$",
        "patch",
        "/api/v1/trainings/{training}/",
        {"start": "not a date"},
        runner_only("allowed", "no"),
    ),
    (
        "api/v1/^trainings/(?P<pk>[^/.]+)/$",
        "delete",
        "/api/v1/trainings/{training}/",
        None,
        runner_only("ok", "no"),
    ),
    ("trainings/", "get", "/trainings/", None, runner_only()),
    (
        "trainings/<int:pk>/edit/",
        "get",
        "/trainings/{training}/edit/",
        None,
        runner_only(other="no"),
    ),
    (
        "trainings/<int:pk>/delete/",
        "post",
        "/trainings/{training}/delete/",
        {},
        runner_only(other="no"),
    ),
    ("trainings/import/", "get", "/trainings/import/", None, runner_only()),
    ("trainings/import/preview/", "get", "/trainings/import/preview/", None, runner_only()),
    ("trainings/import/cancel/", "post", "/trainings/import/cancel/", {}, runner_only()),
    ("profile/", "get", "/profile/", None, runner_only()),
    ("races/", "get", "/races/", None, runner_only()),
    ("races/add/", "get", "/races/add/", None, runner_only()),
    ("races/<int:pk>/edit/", "get", "/races/{race}/edit/", None, runner_only(other="no")),
    ("races/<int:pk>/delete/", "get", "/races/{race}/delete/", None, runner_only(other="no")),
    ("races/<int:pk>/delete/", "post", "/races/{race}/delete/", {}, runner_only(other="no")),
    ("races/import/", "get", "/races/import/", None, runner_only()),
    ("races/import/preview/", "get", "/races/import/preview/", None, runner_only()),
    ("races/import/cancel/", "post", "/races/import/cancel/", {}, runner_only()),
    ("book/", "get", "/book/", None, runner_only()),
    ("book/<int:service_id>/", "get", "/book/{service}/", None, runner_only()),
    ("book/<int:service_id>/month/", "get", "/book/{service}/month/", None, runner_only()),
    ("book/<int:service_id>/confirm/", "get", "/book/{service}/confirm/", None, runner_only()),
    ("sessions/", "get", "/sessions/", None, runner_only()),
    ("plan/", "get", "/plan/", None, runner_only()),
    ("plan/", "post", "/plan/", {}, runner_only()),
    ("api/v1/plan/", "get", "/api/v1/plan/", None, runner_only()),
    ("api/v1/plan/", "post", "/api/v1/plan/", {}, runner_only("allowed", "allowed")),
    ("account/privacy/", "get", "/account/privacy/", None, runner_only()),
    ("account/privacy/download/", "get", "/account/privacy/download/", None, runner_only()),
    (
        "account/privacy/delete/",
        "post",
        "/account/privacy/delete/",
        {},
        runner_only("allowed", "allowed"),
    ),
    ("api/v1/^sessions/$", "get", "/api/v1/sessions/", None, {**PUBLIC, "anonymous": "login"}),
    (
        "api/v1/^sessions/$",
        "post",
        "/api/v1/sessions/",
        {},
        {**dict.fromkeys(PERSONAS, "allowed"), "anonymous": "login"},
    ),
    (
        "api/v1/^sessions/series/$",
        "post",
        "/api/v1/sessions/series/",
        {},
        {**dict.fromkeys(PERSONAS, "allowed"), "anonymous": "login"},
    ),
    (
        "api/v1/^sessions/(?P<pk>[^/.]+)/$",
        "get",
        "/api/v1/sessions/{session}/",
        None,
        session_scope(),
    ),
    (
        "api/v1/^sessions/(?P<pk>[^/.]+)/cancel/$",
        "post",
        "/api/v1/sessions/{session}/cancel/",
        {},
        session_scope(),
    ),
    (
        "api/v1/^sessions/(?P<pk>[^/.]+)/reschedule/$",
        "post",
        "/api/v1/sessions/{session}/reschedule/",
        {},
        session_scope("allowed", "allowed"),
    ),
    (
        "api/v1/^sessions/(?P<pk>[^/.]+)/ics/$",
        "get",
        "/api/v1/sessions/{session}/ics/",
        None,
        session_scope(),
    ),
    (
        "api/v1/sessions/<int:session_id>/attendance/",
        "post",
        "/api/v1/sessions/{session}/attendance/",
        {},
        {**session_scope("no", "allowed")},
    ),
    ("sessions/<int:pk>/", "get", "/sessions/{session}/", None, runner_only(other="no")),
    (
        "sessions/<int:pk>/calendar.ics",
        "get",
        "/sessions/{session}/calendar.ics",
        None,
        runner_only(other="no"),
    ),
    (
        "sessions/<int:pk>/cancel/",
        "get",
        "/sessions/{session}/cancel/",
        None,
        runner_only(other="no"),
    ),
    (
        "sessions/<int:pk>/cancel/",
        "post",
        "/sessions/{session}/cancel/",
        {},
        runner_only(other="no"),
    ),
    (
        "sessions/<int:pk>/reschedule/",
        "get",
        "/sessions/{session}/reschedule/",
        None,
        runner_only(other="no"),
    ),
    (
        "sessions/<int:pk>/reschedule/month/",
        "get",
        "/sessions/{session}/reschedule/month/",
        None,
        runner_only(other="no"),
    ),
    (
        "sessions/<int:pk>/reschedule/confirm/",
        "get",
        "/sessions/{session}/reschedule/confirm/",
        None,
        runner_only(other="no"),
    ),
    # Staff: the clinic's schedule and records.
    (
        "api/v1/therapists/<int:therapist_id>/working-hours/",
        "get",
        "/api/v1/therapists/{therapist}/working-hours/",
        None,
        staff_only(other="no"),
    ),
    (
        "api/v1/therapists/<int:therapist_id>/time-off/",
        "get",
        "/api/v1/therapists/{therapist}/time-off/",
        None,
        staff_only(other="no"),
    ),
    (
        "api/v1/therapists/<int:therapist_id>/time-off/<int:pk>/",
        "delete",
        "/api/v1/therapists/{therapist}/time-off/{time_off}/",
        None,
        staff_only(other="no"),
    ),
    ("api/v1/reports/attendance/", "get", "/api/v1/reports/attendance/", None, REPORTS),
    ("staff/", "get", "/staff/", None, staff_only()),
    ("staff/agenda/", "get", "/staff/agenda/", None, staff_only()),
    ("staff/agenda/week/", "get", "/staff/agenda/week/", None, staff_only()),
    ("staff/calendar/", "get", "/staff/calendar/", None, staff_only()),
    ("staff/calendar/week/", "get", "/staff/calendar/week/", None, staff_only()),
    ("staff/sessions/<int:pk>/", "get", "/staff/sessions/{session}/", None, staff_only(other="no")),
    (
        "staff/sessions/<int:pk>/attendance/",
        "post",
        "/staff/sessions/{session}/attendance/",
        {},
        staff_only(therapist="allowed", other="no", admin="allowed"),
    ),
    (
        "staff/sessions/<int:pk>/move/",
        "post",
        "/staff/sessions/{session}/move/",
        {},
        staff_only(therapist="allowed", other="no", admin="allowed"),
    ),
    (
        "staff/sessions/<int:pk>/cancel/",
        "post",
        "/staff/sessions/{session}/cancel/",
        {},
        staff_only(therapist="allowed", other="no", admin="allowed"),
    ),
    (
        "staff/sessions/<int:pk>/cancel/",
        "get",
        "/staff/sessions/{session}/cancel/",
        None,
        staff_only(other="no"),
    ),
    ("staff/sessions/new/", "get", "/staff/sessions/new/", None, staff_only()),
    ("staff/profile/", "get", "/staff/profile/", None, staff_only()),
    ("staff/schedule/", "get", "/staff/schedule/", None, staff_only()),
    ("staff/schedule/time-off/", "get", "/staff/schedule/time-off/", None, staff_only()),
    (
        "staff/schedule/time-off/<int:pk>/",
        "get",
        "/staff/schedule/time-off/{time_off}/",
        None,
        staff_only(other="no"),
    ),
    (
        "staff/schedule/time-off/<int:pk>/delete/",
        "post",
        "/staff/schedule/time-off/{time_off}/delete/",
        {},
        staff_only(other="no"),
    ),
    ("staff/schedule/in-the-way/", "get", "/staff/schedule/in-the-way/", None, staff_only()),
    ("staff/reports/", "get", "/staff/reports/", None, REPORTS),
    ("staff/reports/adherence/", "get", "/staff/reports/adherence/", None, REPORTS),
    (
        "staff/reports/adherence/<int:runner_id>/remind/",
        "post",
        "/staff/reports/adherence/{alice}/remind/",
        {},
        {**REPORTS, "clinic_admin": "allowed"},
    ),
    ("staff/reports/attendance.csv", "get", "/staff/reports/attendance.csv", None, REPORTS),
    ("staff/reports/sessions.csv", "get", "/staff/reports/sessions.csv", None, REPORTS),
    # Packs and memberships: staff sell at the desk; the clinic admin sets up and reports.
    ("staff/packs/", "get", "/staff/packs/", None, staff_only()),
    ("staff/packs/", "post", "/staff/packs/", {}, staff_only("allowed", "allowed", "allowed")),
    ("staff/packs/new/", "get", "/staff/packs/new/", None, REPORTS),
    ("staff/packs/<int:pk>/", "get", "/staff/packs/{offer}/", None, REPORTS),
    (
        "staff/packs/runners/<int:runner_id>/",
        "get",
        "/staff/packs/runners/{alice}/",
        None,
        staff_only(other="no"),
    ),
    (
        "staff/packs/runners/<int:runner_id>/adjust/",
        "post",
        "/staff/packs/runners/{alice}/adjust/",
        {},
        # An empty form: the clinic's staff reach it and get its errors (400).
        staff_only(therapist="allowed", other="no", admin="allowed"),
    ),
    (
        "staff/packs/memberships/<int:pk>/",
        "post",
        "/staff/packs/memberships/{membership}/",
        {},
        staff_only(other="no"),
    ),
    (
        "staff/packs/sales/<int:pk>/payment/",
        "post",
        "/staff/packs/sales/{sale}/payment/",
        {},
        staff_only(other="no"),
    ),
    ("staff/reports/packs/", "get", "/staff/reports/packs/", None, REPORTS),
    ("staff/reports/packs.csv", "get", "/staff/reports/packs.csv", None, REPORTS),
    ("api/v1/offers/", "get", "/api/v1/offers/", None, PUBLIC),
    ("api/v1/me/credits/", "get", "/api/v1/me/credits/", None, runner_only()),
    (
        "api/v1/sales/",
        "post",
        "/api/v1/sales/",
        {},
        staff_only("allowed", "allowed", "allowed"),
    ),
    # Calendar feeds: the page is anyone's own; the feed's secret address is the credential.
    (
        "calendar/feed/",
        "get",
        "/calendar/feed/",
        None,
        {**dict.fromkeys(PERSONAS, "ok"), "anonymous": "login"},
    ),
    ("calendar/feed/<str:token>.ics", "get", "/calendar/feed/{feed_token}.ics", None, PUBLIC),
    (
        "calendar/feed/<str:token>.ics",
        "get",
        "/calendar/feed/forged-token.ics",
        None,
        dict.fromkeys(PERSONAS, "no"),
    ),
    # Signed links from e-mails: the token is the credential.
    (
        "reminders/unsubscribe/<str:token>/",
        "get",
        "/reminders/unsubscribe/{unsubscribe_token}/",
        None,
        PUBLIC,
    ),
    (
        "reminders/unsubscribe/<str:token>/",
        "get",
        "/reminders/unsubscribe/forged-token/",
        None,
        dict.fromkeys(PERSONAS, "refused"),
    ),
    (
        "reminders/book/<str:token>/",
        "get",
        "/reminders/book/forged-token/",
        None,
        dict.fromkeys(PERSONAS, "refused"),
    ),
    # The waitlist: a runner's own lists; staff see and manage their clinic's.
    ("api/v1/^waitlist/$", "get", "/api/v1/waitlist/", None, {**PUBLIC, "anonymous": "login"}),
    (
        "api/v1/^waitlist/$",
        "post",
        "/api/v1/waitlist/",
        {},
        {
            **dict.fromkeys(PERSONAS, "no"),
            "anonymous": "login",
            "alice": "allowed",
            "bob": "allowed",
        },
    ),
    (
        "api/v1/^waitlist/(?P<pk>[^/.]+)/$",
        "delete",
        "/api/v1/waitlist/{waitlist_entry}/",
        None,
        session_scope(),
    ),
    ("waitlist/", "get", "/waitlist/", None, runner_only()),
    (
        "waitlist/<int:pk>/leave/",
        "post",
        "/waitlist/{waitlist_entry}/leave/",
        {},
        runner_only(other="no"),
    ),
    ("staff/waitlist/", "get", "/staff/waitlist/", None, staff_only()),
    (
        "staff/waitlist/<int:pk>/offer/",
        "post",
        "/staff/waitlist/{waitlist_entry}/offer/",
        {},
        staff_only(therapist="allowed", other="no", admin="allowed"),
    ),
    # The claim link of an offer: its runner (or whoever holds the e-mail, signed out).
    (
        "reminders/offer/<str:token>/",
        "get",
        "/reminders/offer/{offer_token}/",
        None,
        {**dict.fromkeys(PERSONAS, "no"), "anonymous": "ok", "alice": "ok"},
    ),
    (
        "reminders/offer/<str:token>/",
        "get",
        "/reminders/offer/forged-token/",
        None,
        dict.fromkeys(PERSONAS, "refused"),
    ),
]


# Superusers and clinic admins only; therapists and runners are refused at the door (403).
# What the clinic admin may do with each model (view, add, change, delete), on an object
# of their clinic; a model not listed is for superusers only. The rows are made from the
# admin's registry, so a newly registered model gets rows (and "no" for the clinic admin
# until it is listed here).
CLINIC_ADMIN_MAY = {
    "clinic.user": "vac",
    "clinic.clinic": "vc",
    "clinic.therapist": "vacd",
    "clinic.service": "vacd",
    "clinic.workinghours": "vacd",
    "clinic.timeoff": "vacd",
    "runners.runner": "v",
    "runners.race": "v",
    "booking.session": "vac",
    "booking.sessionevent": "v",
    "booking.reminder": "v",
    "billing.offer": "vac",
    "billing.membership": "v",
    "billing.sale": "v",
    "billing.payment": "v",
    "billing.creditgrant": "v",
    "billing.ledgerentry": "v",
}


def admin_only(admin="ok"):
    return {**dict.fromkeys(PERSONAS, "no"), "anonymous": "login", "clinic_admin": admin}


def _admin_rows():
    from django.contrib import admin

    apps = "|".join(dict.fromkeys(m._meta.app_label for m in admin.site._registry))
    rows = [
        ("admin/", "get", "/admin/", None, admin_only()),
        ("admin/login/", "get", "/admin/login/", None, admin_only()),
        ("admin/logout/", "post", "/admin/logout/", {}, admin_only()),
        ("admin/password_change/", "get", "/admin/password_change/", None, admin_only()),
        ("admin/password_change/done/", "get", "/admin/password_change/done/", None, admin_only()),
        (
            "admin/autocomplete/",
            "get",
            "/admin/autocomplete/?app_label=booking&model_name=session&field_name=runner&term=",
            None,
            admin_only(),
        ),
        ("admin/jsi18n/", "get", "/admin/jsi18n/", None, admin_only()),
        (
            "admin/r/<path:content_type_id>/<path:object_id>/",
            "get",
            "/admin/r/{admin_session_type}/{session}/",
            None,
            admin_only("no"),  # sessions have no page on the site
        ),
        (f"admin/^(?P<app_label>{apps})/$", "get", "/admin/booking/", None, admin_only()),
        ("admin/(?P<url>.*)$", "get", "/admin/nothing-here/", None, admin_only("no")),
        (
            "admin/clinic/user/<id>/password/",
            "get",
            "/admin/clinic/user/{admin_pk_clinic_user}/password/",
            None,
            admin_only(),
        ),
    ]
    for model in admin.site._registry:
        meta = model._meta
        may = CLINIC_ADMIN_MAY.get(meta.label_lower, "")
        base = f"admin/{meta.app_label}/{meta.model_name}/"
        obj = f"/{base}{{admin_pk_{meta.app_label}_{meta.model_name}}}/"

        def verdict(letter, may=may):
            return admin_only("ok" if letter in may else "no")

        rows += [
            (base, "get", f"/{base}", None, verdict("v")),
            (f"{base}add/", "get", f"/{base}add/", None, verdict("a")),
            (f"{base}<path:object_id>/", "get", obj, None, verdict("v")),
            (f"{base}<path:object_id>/change/", "get", f"{obj}change/", None, verdict("v")),
            (f"{base}<path:object_id>/history/", "get", f"{obj}history/", None, verdict("v")),
            (f"{base}<path:object_id>/delete/", "get", f"{obj}delete/", None, verdict("d")),
        ]
    return rows


TABLE += _admin_rows()

# Routes outside this table's subject (allauth's account pages have their own tests; the
# language switch is a POST for all).
EXEMPT_PREFIXES = ("accounts/", "i18n/")


@pytest.fixture
def world(alice, bob, therapist, other_therapist, clinic_admin, service, clinic):
    now = timezone.now()
    session = SessionFactory(
        runner=alice, therapist=therapist, service=service, start=now + timedelta(days=5)
    )
    bob_session = SessionFactory(
        runner=bob, therapist=therapist, service=service, start=now + timedelta(days=6)
    )
    race = RaceFactory(runner=alice, name="Alice's marathon")
    training = TrainingFactory(runner=alice)
    time_off = TimeOffFactory(therapist=therapist, start=now + timedelta(days=20))
    from booking.engine.feeds import feed_regenerate
    from booking.models import FreedTime, WaitlistEntry, WaitlistOffer
    from booking.reminders.links import offer_token, unsubscribe_token

    day = (now + timedelta(days=7)).astimezone(clinic.tz).date()
    alice_token, _key = token_create(user=alice.user, device="Alice's phone")
    entry = WaitlistEntry.objects.create(
        runner=alice,
        clinic=clinic,
        service=service,
        first_day=day,
        last_day=day,
        earliest=datetime_time(9),
        latest=datetime_time(20),
    )
    freed = FreedTime.objects.create(
        therapist=therapist,
        start=now + timedelta(days=7),
        end=now + timedelta(days=7, hours=1),
        reason="by_hand",
    )
    offer = WaitlistOffer.objects.create(
        freed=freed,
        entry=entry,
        runner=alice,
        therapist=therapist,
        service=service,
        start=freed.start,
        expires_at=now + timedelta(hours=2),
    )
    billing = _billing_objects(clinic_admin, alice, service)
    return {
        "waitlist_entry": entry.pk,
        "offer_token": offer_token(offer.pk),
        **_admin_objects(clinic_admin, alice, session, race, time_off, billing),
        "offer": billing["billing.offer"].pk,
        "membership": billing["billing.membership"].pk,
        "sale": billing["billing.sale"].pk,
        "alice_token": alice_token.pk,
        "session": session.pk,
        "bob_session": bob_session.pk,
        "race": race.pk,
        "training": training.pk,
        "time_off": time_off.pk,
        "service": service.pk,
        "therapist": therapist.pk,
        "clinic": clinic.pk,
        "alice": alice.pk,
        "day": day.isoformat(),
        "unsubscribe_token": unsubscribe_token(alice),
        "feed_token": feed_regenerate(user=alice.user).token,
        "users": {
            "alice": alice.user,
            "bob": bob.user,
            "therapist": therapist.user,
            "other_therapist": other_therapist.user,
            "clinic_admin": clinic_admin,
        },
    }


def _billing_objects(clinic_admin, alice, service) -> dict:
    """A membership sold to Alice at the desk: its offer, sale, payment, grant and entry."""
    from decimal import Decimal

    from billing import sales
    from billing.models import Offer

    offer = Offer.objects.create(
        clinic=service.clinic, kind="membership", name="Plan", sessions=2, price=Decimal("80")
    )
    offer.services.set([service])
    sale = sales.sell(
        offer=offer, runner=alice, paid=sales.Paid("cash", Decimal("80")), by=clinic_admin
    )
    grant = sale.grants.get()
    return {
        "billing.offer": offer,
        "billing.membership": sale.membership,
        "billing.sale": sale,
        "billing.payment": sale.payments.get(),
        "billing.creditgrant": grant,
        "billing.ledgerentry": grant.entries.get(),
    }


def _admin_objects(clinic_admin, alice, session, race, time_off, billing) -> dict:
    """The clinic admin as the role makes them, and one object of their clinic per admin
    page (any row for the superuser-only ones)."""
    from django.contrib import admin
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from booking.models import Reminder, SessionEvent
    from clinic.permissions import CLINIC_ADMINS, ensure_role_groups

    ensure_role_groups()
    clinic_admin.groups.add(Group.objects.get(name=CLINIC_ADMINS))
    event = SessionEvent.objects.create(session=session, kind="booked", by=alice.user)
    reminder = Reminder.objects.create(
        runner=alice, kind="confirmation", key=f"s{session.pk}", session=session
    )
    therapist = session.therapist
    ours = {
        "clinic.user": alice.user,
        "clinic.clinic": session.clinic,
        "clinic.therapist": therapist,
        "clinic.service": session.service,
        "clinic.workinghours": therapist.hours.first(),
        "clinic.timeoff": time_off,
        "runners.runner": alice,
        "runners.race": race,
        "booking.session": session,
        "booking.sessionevent": event,
        "booking.reminder": reminder,
        **billing,
    }
    objects = {"admin_session_type": ContentType.objects.get_for_model(session).pk}
    for model in admin.site._registry:
        meta = model._meta
        obj = ours.get(meta.label_lower) or model._default_manager.first()
        objects[f"admin_pk_{meta.app_label}_{meta.model_name}"] = obj.pk if obj else 1
    return objects


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


def verdict(response, url: str) -> str:
    status = response.status_code
    api = url.startswith("/api/")
    if status >= 500:
        return "error"
    if _is_login_redirect(response) or (api and status == 401):
        return "login"
    if status in (403, 404) or (status == 302 and not api):
        return "no" if status != 302 else "redirect"
    if 200 <= status < 300 or status == 302:
        return "ok"
    return "allowed"  # 400, 405, 409...


def matches(expected: str, got: str, response, url: str) -> bool:
    if expected == "ok":
        return got in ("ok", "redirect")
    if expected == "allowed":
        return got in ("ok", "redirect", "allowed")
    if expected == "login":
        # The API answers 403 to an anonymous client when session auth decides.
        return got == "login" or (url.startswith("/api/") and response.status_code == 403)
    if expected == "no":
        return got in ("no", "redirect")
    if expected == "refused":  # a forged signed link: 400/403/404
        return got in ("no", "redirect") or response.status_code == 400
    raise AssertionError(expected)


ROWS = [pytest.param(row, id=f"{row[1].upper()} {row[2]}") for row in TABLE]


@pytest.mark.parametrize("row", ROWS)
def test_permission_table(client, world, row):
    _route, method, template, body, expectations = row
    url = template.format(**world)
    kwargs = {}
    if body is not None:
        kwargs = (
            {"data": body, "content_type": "application/json"}
            if url.startswith("/api/")
            else {"data": body}
        )
    failures = []
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(world["users"][persona])
        with transaction.atomic():
            response = getattr(client, method)(url, **kwargs)
            transaction.set_rollback(True)
        got = verdict(response, url)
        expected = expectations[persona]
        if not matches(expected, got, response, url):
            failures.append(
                f"{persona}: expected {expected}, got {got} "
                f"({response.status_code} {response.get('Location', '')})"
            )
        # Bob's session never shows up for Alice or for the other clinic.
        if (
            persona in ("alice", "other_therapist")
            and response.status_code == 200
            and url.startswith("/api/v1/sessions/")
        ):
            text = response.content.decode(errors="replace").replace(" ", "")
            assert f'"id":{world["bob_session"]},' not in text
    assert not failures, f"{method.upper()} {url}: " + "; ".join(failures)


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def test_every_route_is_in_the_table():
    covered = {row[0] for row in TABLE}
    routes = {
        r
        for r in _routes(get_resolver().url_patterns)
        if not r.startswith(EXEMPT_PREFIXES)
        # DRF's format-suffix twins of the same views
        and "\\.(?P<format>" not in r
    }
    missing = sorted(routes - covered)
    if missing and not os.environ.get("CI"):
        # Locally a warning, so a route landed late does not block its author; CI fails.
        warnings.warn(f"routes with no row in the permission table: {missing}", stacklevel=1)
        return
    assert not missing, f"routes with no row in the permission table: {missing}"


@pytest.mark.parametrize("persona", ["bob", "other_therapist"])
def test_lists_and_exports_never_show_alices_session(client, world, persona):
    client.force_login(world["users"][persona])
    sessions = client.get("/api/v1/sessions/").json()
    ids = {s["id"] for s in sessions.get("results", sessions)}
    assert world["session"] not in ids
    if persona == "other_therapist":
        export = client.get("/staff/reports/sessions.csv")
        body = b"".join(export.streaming_content) if export.streaming else export.content
        assert b"Alice" not in body
        agenda = client.get("/staff/agenda/week/")
        assert "Alice" not in agenda.content.decode()
        for calendar in ("/staff/calendar/", "/staff/calendar/week/"):
            assert "Alice" not in client.get(calendar).content.decode()


def test_the_owner_and_the_clinic_see_alices_session(client, world):
    for persona in ("alice", "therapist", "clinic_admin"):
        client.force_login(world["users"][persona])
        sessions = client.get("/api/v1/sessions/").json()
        ids = {s["id"] for s in sessions.get("results", sessions)}
        assert world["session"] in ids, persona
    assert Session.objects.filter(pk=world["session"]).exists()
