"""The admin writes hours, time off, clinics, therapists and services through the clinic's
services (issue 13): overlaps are form errors, never a 500 nor a row, and each change
refreshes the cached availability at once."""

from datetime import timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from booking.engine import availability_cache
from clinic.models import TimeOff, WorkingHours

from .test_escalation import therapist_form

pytestmark = pytest.mark.django_db


def next_weekday(clinic, weekday: int):
    day = timezone.now().astimezone(clinic.tz).date() + timedelta(days=3)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def slots_on(side, day):
    found = availability_cache.availability(service=side.service, start_date=day, end_date=day)
    return [s for s in found.slots if s.therapist_id == side.therapist.pk]


def hours_form(therapist, weekday, start, end):
    return {
        "therapist": therapist.pk,
        "weekday": weekday,
        "start_time": start,
        "end_time": end,
        "valid_from": "",
        "valid_until": "",
    }


def form_errors(response) -> list[str]:
    return [str(e) for e in response.context["adminform"].form.non_field_errors()]


def test_hours_added_in_the_admin_refresh_availability(
    as_persona, world, django_capture_on_commit_callbacks
):
    a = world.a
    saturday = next_weekday(a.clinic, 5)
    assert slots_on(a, saturday) == []  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("admin_a").post(
            reverse("admin:clinic_workinghours_add"), hours_form(a.therapist, 5, "10:00", "13:00")
        )
    assert response.status_code == 302, form_errors(response)
    assert slots_on(a, saturday)


def test_hours_deleted_in_the_admin_refresh_availability(
    as_persona, world, django_capture_on_commit_callbacks
):
    a = world.a
    monday = next_weekday(a.clinic, 0)
    assert slots_on(a, monday)
    client = as_persona("admin_a")
    with django_capture_on_commit_callbacks(execute=True):
        for row in WorkingHours.objects.filter(therapist=a.therapist, weekday=0):
            address = reverse("admin:clinic_workinghours_delete", args=[row.pk])
            assert client.post(address, {"post": "yes"}).status_code == 302
    assert slots_on(a, monday) == []


def test_overlapping_hours_are_a_form_error_and_no_row(as_persona, world):
    a = world.a
    before = WorkingHours.objects.filter(therapist=a.therapist).count()
    response = as_persona("admin_a").post(
        reverse("admin:clinic_workinghours_add"), hours_form(a.therapist, 0, "13:00", "15:00")
    )
    assert response.status_code == 200
    assert form_errors(response) == ["Monday: 09:00–14:00 and 13:00–15:00 overlap."]
    assert WorkingHours.objects.filter(therapist=a.therapist).count() == before


def test_time_off_added_in_the_admin_refreshes_availability_and_refuses_overlaps(
    as_persona, world, django_capture_on_commit_callbacks
):
    a = world.a
    wednesday = next_weekday(a.clinic, 2)
    assert slots_on(a, wednesday)
    start, end = wednesday - timedelta(days=1), wednesday + timedelta(days=2)
    data = {
        "therapist": a.therapist.pk,
        "start_0": start.isoformat(),
        "start_1": "00:00:00",
        "end_0": end.isoformat(),
        "end_1": "00:00:00",
        "reason": "Congress",
    }
    client = as_persona("admin_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:clinic_timeoff_add"), data)
    assert response.status_code == 302, form_errors(response)
    assert slots_on(a, wednesday) == []
    response = client.post(reverse("admin:clinic_timeoff_add"), data)
    assert response.status_code == 200
    assert form_errors(response) == [
        "That overlaps time off you already have; remove or change that one first."
    ]
    assert TimeOff.objects.filter(therapist=a.therapist, reason="Congress").count() == 1


def test_a_therapist_set_inactive_in_the_admin_refreshes_availability(
    as_persona, world, django_capture_on_commit_callbacks
):
    a = world.a
    monday = next_weekday(a.clinic, 0)
    assert slots_on(a, monday)
    data = therapist_form(a.therapist.user, a.clinic, name=a.therapist.display_name)
    del data["active"]
    address = reverse("admin:clinic_therapist_change", args=[a.therapist.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("admin_a").post(address, data)
    assert response.status_code == 302
    assert slots_on(a, monday) == []


def change_page_data(response) -> dict:
    """What the admin's change page would post back unchanged: the form's fields and every
    inline's management form and rows."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(form.fields[name], forms.FileField):
            continue  # a browser posts no file back for an unchanged upload
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if value is not None and not isinstance(value, bool):
                    data[row.add_prefix(name)] = value
    return data


def test_a_clinic_policy_and_race_window_changed_in_the_admin_go_through_the_service(
    as_persona, world, django_capture_on_commit_callbacks
):
    a = world.a
    monday = next_weekday(a.clinic, 0)
    before = {s.start for s in slots_on(a, monday)}
    client = as_persona("admin_a")
    address = reverse("admin:clinic_clinic_change", args=[a.clinic.pk])
    data = change_page_data(client.get(address))
    data["slot_step_minutes"] = a.clinic.slot_step_minutes * 2
    prefix = "race_windows"
    new = int(data[f"{prefix}-TOTAL_FORMS"])
    data |= {
        f"{prefix}-TOTAL_FORMS": new + 1,
        f"{prefix}-{new}-priority": "A",
        f"{prefix}-{new}-after_race_hours": 96,
        f"{prefix}-{new}-before_race_hours": 72,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    a.clinic.refresh_from_db()
    assert a.clinic.race_windows.filter(priority="A", after_race_hours=96).exists()
    # The cached day was dropped: fewer start times with the longer step.
    after = {s.start for s in slots_on(a, monday)}
    assert after and after < before
