"""The runner's next session, for pages outside the booking app (the home page)."""

from django import template
from django.utils import timezone

from booking.models import Session

register = template.Library()


@register.simple_tag
def next_session(user):
    if not getattr(user, "is_authenticated", False) or not user.is_runner:
        return None
    return (
        Session.objects.filter(
            runner__user=user, status=Session.Status.BOOKED, start__gte=timezone.now()
        )
        .select_related("therapist", "clinic")
        .order_by("start")
        .first()
    )
