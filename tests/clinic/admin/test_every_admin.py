"""Every registered ModelAdmin, every persona: nothing of another clinic is offered or shown.

The list of admins is read from `admin.site._registry` when the tests are collected, so a
new ModelAdmin (or a new foreign key on an old one) is tested the day it lands. For each
persona (superuser; admin, therapist and runner of clinic A; admin and therapist of clinic
B) and each admin, the pages are opened: the list, the raw-id popup list, the add form, the
change, history and delete pages of an object of each clinic, the password form of a user,
and autocomplete on each of its relations. Then:

- therapists and runners get no admin at all (403);
- a clinic admin's pages show no row, choice, filter or label of the other clinic or of
  the superuser: every choice field's queryset is checked object by object (by owner, see
  conftest), and the page text for the other side's words;
- the other clinic's (and the superuser's) object pages are "not found", never shown;
- a clinic admin does see their own clinic's rows (so the test cannot pass by hiding all).
"""

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.clinic.admin.conftest import FORBIDDEN, NO_ADMIN, PERSONAS, WORDS

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)

# What a clinic admin works with in the Django admin (the rest is for superusers).
CLINIC_ADMIN_SEES = {
    "clinic.user",
    "clinic.clinic",
    "clinic.therapist",
    "clinic.service",
    "clinic.workinghours",
    "clinic.timeoff",
    "runners.runner",
    "runners.race",
    "booking.session",
    "booking.sessionevent",
    "booking.reminder",
    "billing.offer",
    "billing.membership",
    "billing.sale",
    "billing.payment",
    "billing.creditgrant",
    "billing.ledgerentry",
}


def url(model, view, *args, query=""):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args) + query


def object_of(world, model, key):
    for obj in model._default_manager.all():
        if world.owner(obj) == key:
            return obj
    return None


def objects_for(world, model):
    """One object of each side (A, B, and the superuser for users); a model that belongs
    to no clinic (sites, groups) gives any of its rows."""
    found = {key: object_of(world, model, key) for key in ("A", "B", "super")}
    if not any(found.values()):
        anything = model._default_manager.first()
        return {"global": anything} if anything is not None else {}
    return {key: obj for key, obj in found.items() if obj is not None}


def choice_fields(context):
    """Every field with a queryset on the page's forms: the main one and the inlines'."""
    forms = []
    adminform = context.get("adminform")
    if adminform is not None:
        forms.append(adminform.form)
    formsets = [inline.formset for inline in context.get("inline_admin_formsets") or []]
    changelist = context.get("cl")
    if changelist is not None and changelist.formset is not None:
        formsets.append(changelist.formset)  # list_editable
    for formset in formsets:
        forms.extend(formset.forms)
        forms.append(formset.empty_form)
    for form in forms:
        for name, field in form.fields.items():
            if hasattr(field, "queryset"):
                yield f"{type(form).__name__}.{name}", field.queryset


def leaks(world, response, forbidden) -> list[str]:
    found = []
    text = response.content.decode(errors="replace").lower()
    for key in forbidden:
        if WORDS[key].lower() in text:
            found.append(f"the page shows '{WORDS[key]}'")
    context = response.context
    if context is None:
        return found
    changelist = context.get("cl")
    if changelist is not None:
        found += [f"row {obj!r}" for obj in changelist.result_list if world.owner(obj) in forbidden]
    for name, queryset in choice_fields(context):
        found += [f"{name} offers {obj!r}" for obj in queryset if world.owner(obj) in forbidden]
    return found


def is_not_found(response) -> bool:
    """Django's admin answers an object outside the requester's rows like a missing one:
    back to the index (or 404); a 403 when the persona may not even look."""
    if response.status_code == 302:
        return response["Location"] == reverse("admin:index")
    return response.status_code in (403, 404)


def pages(model, model_admin, objects):
    """(name, url, whose object or None) for every page of this admin."""
    yield "list", url(model, "changelist"), None
    yield "popup", url(model, "changelist", query="?_popup=1&_to_field=id"), None
    yield "add", url(model, "add"), None
    for key, obj in objects.items():
        for view in ("change", "history", "delete"):
            yield f"{view} {key}", url(model, view, obj.pk), key
        if hasattr(model_admin, "user_change_password"):
            password = reverse("admin:auth_user_password_change", args=[obj.pk])
            yield f"password {key}", password, key
    for field in model._meta.get_fields():
        if field.is_relation and field.concrete and (field.many_to_one or field.one_to_one):
            query = (
                f"?app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                f"&field_name={field.name}&term="
            )
            yield f"autocomplete {field.name}", reverse("admin:autocomplete") + query, None


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTRY, ids=[m._meta.label_lower for m, _ in REGISTRY]
)
def test_every_admin_page_stays_in_the_requesters_clinic(as_persona, world, model, model_admin):
    objects = objects_for(world, model)
    label = model._meta.label_lower
    failures = []
    for persona in PERSONAS:
        client = as_persona(persona)
        for name, address, whose in pages(model, model_admin, objects):
            if persona in NO_ADMIN and name not in ("list", "add", "change A"):
                continue  # refused at the door: a few pages show it
            response = client.get(address)
            where = f"{persona} {name} ({address})"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
                continue
            if persona in NO_ADMIN:
                if response.status_code != 403:
                    failures.append(f"{where}: {response.status_code}, not 403")
                continue
            forbidden = FORBIDDEN[persona]
            if whose in forbidden and not is_not_found(response):
                failures.append(f"{where}: another clinic's object answered {response.status_code}")
                continue
            if name.startswith("autocomplete") and response.status_code == 200:
                ids = [int(r["id"]) for r in json.loads(response.content)["results"]]
                related = model._meta.get_field(name.split()[1]).related_model
                for obj in related._default_manager.filter(pk__in=ids):
                    if world.owner(obj) in forbidden:
                        failures.append(f"{where}: offers {obj!r}")
                continue
            if response.status_code == 200:
                failures += [f"{where}: {leak}" for leak in leaks(world, response, forbidden)]
        if persona == "superuser" and objects:
            for key, obj in objects.items():
                response = client.get(url(model, "change", obj.pk))
                if response.status_code != 200:
                    failures.append(f"superuser cannot open {key}'s {label}")
        if persona in ("admin_a", "admin_b") and label in CLINIC_ADMIN_SEES:
            own = objects.get(persona[-1].upper())
            response = client.get(url(model, "changelist"))
            rows = list(response.context["cl"].result_list) if response.context else []
            if own is None or own not in rows:
                failures.append(f"{persona} does not see their own clinic's {label}")
            elif client.get(url(model, "change", own.pk)).status_code != 200:
                failures.append(f"{persona} cannot open their own clinic's {label}")
    assert not failures, "\n".join(failures)


def test_the_registry_is_walked():
    """The walk above covers the project's admins and the third-party ones."""
    labels = {m._meta.label_lower for m, _ in REGISTRY}
    assert CLINIC_ADMIN_SEES <= labels
    assert {"auth.group", "sites.site"} <= labels


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_admin_index_and_app_pages(as_persona, world, persona):
    client = as_persona(persona)
    addresses = [reverse("admin:index")] + [
        reverse("admin:app_list", args=[app])
        for app in sorted({m._meta.app_label for m, _ in REGISTRY})
    ]
    for address in addresses:
        response = client.get(address)
        if persona in NO_ADMIN:
            assert response.status_code == 403, address
            continue
        assert response.status_code in (200, 404), address  # 404: an app with nothing to show
        if response.status_code == 200:
            assert not leaks(world, response, FORBIDDEN[persona]), address
