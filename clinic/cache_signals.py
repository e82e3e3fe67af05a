"""Drop cached availability when what it was computed from changes (clinic/cache.py).

Model signals cover saves and deletes from anywhere (services, admin, shell). Bulk
writes (`QuerySet.update`, `bulk_create`) send none: the services that use them call
`clinic.cache.availability_changed` themselves (marked "availability cache hook").
Senders are named by string so clinic does not import booking.
"""

from django.db.models.signals import post_delete, post_save

from clinic.cache import availability_changed


def _session_changed(sender, instance, **kwargs):
    availability_changed(therapist_ids={instance.therapist_id})


def _session_event(sender, instance, created=False, **kwargs):
    # A move to another therapist frees the old one's time: the event names them.
    old = (instance.data or {}).get("old_therapist") if created else None
    if isinstance(old, int):
        availability_changed(therapist_ids={old})


def _therapist_thing_changed(sender, instance, **kwargs):
    availability_changed(therapist_ids={instance.therapist_id})


def _therapist_changed(sender, instance, **kwargs):
    availability_changed(therapist_ids={instance.pk}, clinic_id=instance.clinic_id)


def _clinic_wide(sender, instance, **kwargs):
    clinic_id = instance.pk if sender._meta.model_name == "clinic" else instance.clinic_id
    availability_changed(clinic_id=clinic_id)


def connect() -> None:
    post_save.connect(_session_event, sender="booking.SessionEvent", weak=False)
    for signal in (post_save, post_delete):
        signal.connect(_session_changed, sender="booking.Session", weak=False)
        signal.connect(_therapist_thing_changed, sender="clinic.TimeOff", weak=False)
        signal.connect(_therapist_thing_changed, sender="clinic.WorkingHours", weak=False)
        signal.connect(_therapist_changed, sender="clinic.Therapist", weak=False)
        signal.connect(_clinic_wide, sender="clinic.Service", weak=False)
        signal.connect(_clinic_wide, sender="clinic.Clinic", weak=False)
