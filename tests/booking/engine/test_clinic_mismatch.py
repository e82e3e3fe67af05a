"""The same-clinic rule as the engine states it (booking.engine.rules.clinic_mismatch)."""

from django.utils import translation

from booking.engine.codes import Code
from booking.engine.rules import clinic_mismatch
from booking.engine.services import violation_error


def test_a_therapist_of_the_services_clinic_passes():
    assert clinic_mismatch(service_clinic_id=1, therapist_clinic_id=1) is None


def test_a_therapist_of_another_clinic_is_refused_with_the_apis_code_and_sentence():
    violation = clinic_mismatch(service_clinic_id=1, therapist_clinic_id=2)
    assert violation is not None and violation.code == Code.THERAPIST_OTHER_CLINIC
    assert not violation.is_race_rule
    with translation.override("en"):  # not whatever language an earlier test left active
        error = violation_error(violation)
    assert error.code == "therapist_other_clinic" and error.status_code == 400
    assert error.detail == "That therapist does not work at this service's clinic."
