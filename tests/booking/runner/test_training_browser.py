"""The training journey in a real browser (issue 20), in English and in Spanish: import a
week of runs from a watch export (a zip of .gpx and a .fit long run) through the
preview, plan intervals for tomorrow in a few taps, try a massage two hours after the
long run (refused, with the reason and three better times), then book today's evening
and read the warning for tomorrow's intervals on the confirm page and once booked.
375 px screenshots; axe on the training pages."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from devtools import activity_files as af
from devtools.factories import (
    PASSWORD,
    ClinicFactory,
    RunnerFactory,
    ServiceFactory,
    TherapistFactory,
    UserFactory,
)
from runners.models import Training
from tests.support.browser import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = ZoneInfo("Europe/Madrid")

T = {
    "en": {
        "preview": "Check the trainings before importing",
        "import": "Import the ticked trainings",
        "imported": "Trainings imported: 7.",
        "demanding": "Demanding: long for you",
        "intervals": "Intervals or tempo",
        "saved": "Training saved.",
        "confirm": "Confirm booking",
        "refused": "Too soon after your long run that ended",
        "warning": "swap it for an easy run, or move the massage",
        "booked": "You are booked",
    },
    "es": {
        "preview": "Revisa los entrenamientos antes de importarlos",
        "import": "Importar los entrenamientos marcados",
        "imported": "Entrenamientos importados: 7.",
        "demanding": "Exigente: larga para ti",
        "intervals": "Series o tempo",
        "saved": "Entrenamiento guardado.",
        "confirm": "Confirmar reserva",
        "refused": "Demasiado pronto tras tu tirada larga, que terminó el",
        "warning": "cámbiala por un rodaje suave o mueve el masaje",
        "booked": "Tienes tu cita",
    },
}


def working_day():
    """A Monday to Thursday at least two days ahead: the long run's day (the therapist
    works weekdays), the intervals the next day."""
    day = timezone.localdate(timezone.now(), MADRID) + timedelta(days=2)
    while day.weekday() > 3:
        day += timedelta(days=1)
    return day


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=MADRID)


def _week_export(day) -> bytes:
    """Six easy 45-minute runs before `day`, and a 30 km long run on its morning."""
    files = {
        f"activity_{n}.gpx": af.gpx_bytes(_at(day - timedelta(days=n), 7), 45, 8, every=60)
        for n in range(1, 7)
    }
    files["long_run.fit"] = af.fit_bytes(
        _at(day, 6),
        [af.Lap(60, 10000, 145), af.Lap(60, 10000, 152), af.Lap(50, 10000, 160)],
        local_offset=_at(day, 6).utcoffset(),
        every=60,
    )
    return af.zip_bytes(files)


def run_journey(page, tmp_path, *, lang, service, therapist, shots):
    t = T[lang]
    day = working_day()
    page.goto("/trainings/")
    if lang == "es":
        page.select_option("#language-select", "es")
        page.locator("form.lang-switch button[type=submit]").click()
        page.wait_for_selector("html[lang=es]")
    # 1. Import a week from the watch export, through the preview.
    export = tmp_path / "export.zip"
    export.write_bytes(_week_export(day))
    page.locator("main a.button.secondary").first.click()
    page.set_input_files("#id_file", str(export))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/trainings/import/preview/")
    assert t["preview"] in page.inner_text("h1")
    assert page.locator("#import-preview tbody tr").count() == 7
    page.get_by_role("button", name=t["import"]).click()
    page.wait_for_url("**/trainings/")
    assert t["imported"] in page.inner_text(".messages")
    # 2. Plan intervals for the day after, in a few taps.
    page.get_by_text(t["intervals"], exact=True).click()
    page.fill("#id_start", f"{(day + timedelta(days=1)).isoformat()}T19:00")
    page.fill("#id_minutes", "60")
    page.locator("#id_planned").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/trainings/")
    assert t["saved"] in page.inner_text(".messages")
    assert t["demanding"] in page.inner_text("main")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / f"trainings-375-{lang}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 800})
    # 3. Two hours after the long run (it ended 08:50): refused, with three better times.
    start = _at(day, 11).isoformat().replace("+", "%2B")
    page.goto(f"/book/{service.pk}/confirm/?start={start}&therapist={therapist.pk}")
    page.get_by_role("button", name=t["confirm"]).click()
    assert t["refused"] in page.inner_text(".refusal-detail")
    assert page.locator("main ul.slots a.slot").count() == 3
    page.screenshot(path=str(shots / f"training-refusal-{lang}.png"), full_page=True)
    # 4. That evening, after the window: booked, with the warning for tomorrow's intervals.
    start = _at(day, 17).isoformat().replace("+", "%2B")
    page.goto(f"/book/{service.pk}/confirm/?start={start}&therapist={therapist.pk}")
    assert t["warning"] in page.inner_text("#warning-demanding_training_next_day")
    page.locator("#confirm-booking").click()
    page.wait_for_url("**/sessions/*/?booked=1")
    assert t["booked"] in page.inner_text("h1")
    assert t["warning"] in page.inner_text("#warning-demanding_training_next_day")
    page.screenshot(path=str(shots / f"training-warning-{lang}.png"), full_page=True)
    assert page.js_errors == []


@pytest.fixture
def setup(transactional_db):
    clinic = ClinicFactory(name="Fisio Running Madrid", slug="madrid")
    service = ServiceFactory(clinic=clinic, name="Unloading massage", duration_minutes=60)
    therapist = TherapistFactory(clinic=clinic, display_name="Lucía Martín")
    return clinic, service, therapist


def _sign_in(page, clinic, email):
    RunnerFactory(clinic=clinic, user=UserFactory(email=email))
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_import_a_week_book_and_see_the_warning(page, setup, artifacts, tmp_path, lang):
    clinic, service, therapist = setup
    _sign_in(page, clinic, f"trainer-{lang}@runner.test")
    run_journey(page, tmp_path, lang=lang, service=service, therapist=therapist, shots=artifacts)
    assert Training.objects.filter(runner__user__email=f"trainer-{lang}@runner.test").count() == 8


def test_training_pages_have_no_serious_accessibility_violations(page, setup, tmp_path):
    clinic, _service, _therapist = setup
    _sign_in(page, clinic, "axe-training@runner.test")
    found = {}
    for url in ("/trainings/", "/trainings/import/"):
        page.goto(url)
        found[url] = axe_serious(page)
    export = tmp_path / "export.zip"
    export.write_bytes(_week_export(working_day()))
    page.set_input_files("#id_file", str(export))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/trainings/import/preview/")
    found["preview"] = axe_serious(page)
    assert {url: v for url, v in found.items() if v} == {}
