"""Private calendar feeds (booking.engine.feeds): the page where a runner or a
therapist turns theirs on, copies its address, regenerates or turns it off, and the feed
itself, served to calendar apps at its secret address without a sign-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from booking.engine import feeds


@require_GET
def calendar_feed(request, token: str):
    body = feeds.feed_body(token)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    available = feeds.feed_available(request.user)
    if request.method == "POST" and available:
        if request.POST.get("action") == "revoke":
            feeds.feed_revoke(user=request.user)
            messages.success(request, _("Your calendar feed is off: its address no longer works."))
        else:
            feeds.feed_regenerate(user=request.user)
            messages.success(
                request,
                _("Your calendar feed has a new address; the old one no longer works."),
            )
        return redirect("booking:calendar_feed_settings")
    feed = feeds.feed_of(request.user)
    url = (
        request.build_absolute_uri(reverse("booking:calendar_feed", args=[feed.token]))
        if feed
        else ""
    )
    return render(
        request,
        "booking/calendar_feed.html",
        {
            "available": available,
            "feed": feed,
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[-1] if url else "",
        },
    )
