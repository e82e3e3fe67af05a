"""Pages behind the signed links in reminder e-mails. GET only shows; POST acts.

The signed token is the authority (it names the runner and, for booking, the slot), so
these work without logging in, like the links themselves. CSRF is not needed for them:
a forged cross-site POST would have to know the secret token already; and mail clients'
RFC 8058 one-click unsubscribe POSTs without any cookie. A deactivated account (deleted,
or switched off by the clinic) revokes every link it was sent: they answer 410.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from booking.engine import waitlist
from booking.engine.exceptions import BookingError
from booking.engine.idempotency import session_for_key
from booking.engine.services import session_book
from booking.models import Session, WaitlistOffer
from booking.reminders import links
from booking.reminders.links import booking_page_url, session_urls
from booking.reminders.messages import slot_links, when
from clinic.models import Service, Therapist
from runners.models import Runner
from runners.services import runner_update_profile


def _language(request, runner: Runner) -> str:
    """The runner's language, unless they picked one on the site (the switcher's cookie)."""
    from django.conf import settings

    return request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or runner.user.language


def _alternatives(runner: Runner, service: Service, exc: BookingError, clinic) -> list[dict]:
    """The nearest slots that do pass, each as a new signed one-click link."""
    return slot_links(
        runner=runner, service=service, slots=exc.suggestions, clinic=clinic, full_url=False
    )


def _invalid(request):
    return render(request, "reminders/link_invalid.html", status=400)


def _revoked(request, runner: Runner):
    with translation.override(_language(request, runner)):
        return render(request, "reminders/link_revoked.html", status=410)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    runner = links.runner_from_unsubscribe_token(token)
    if runner is None:
        return _invalid(request)
    if not runner.user.is_active:
        return _revoked(request, runner)
    with translation.override(_language(request, runner)):
        done = False
        if request.method == "POST":
            if runner.reminders_opt_in:
                runner_update_profile(runner=runner, reminders_opt_in=False)
            done = True
        response = render(
            request,
            "reminders/unsubscribe.html",
            {"runner": runner, "done": done or not runner.reminders_opt_in, "token": token},
        )
    return response


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def book(request, token: str):
    link = links.book_link_from_token(token)
    if link is None:
        return _invalid(request)
    runner = Runner.objects.select_related("user").filter(pk=link.runner_id).first()
    therapist = Therapist.objects.select_related("clinic").filter(pk=link.therapist_id).first()
    service = Service.objects.filter(pk=link.service_id).first()
    if runner is None or therapist is None or service is None:
        return _invalid(request)
    if not runner.user.is_active:
        return _revoked(request, runner)
    if request.user.is_authenticated and request.user.pk != runner.user_id:
        return render(request, "reminders/link_other_account.html", status=403)
    with translation.override(_language(request, runner)):
        clinic = therapist.clinic
        context = {
            "runner": runner,
            "therapist": therapist,
            "service": service,
            "clinic": clinic,
            "when": when(link.start, clinic),
            "token": token,
            "book_url": booking_page_url(),
        }
        status = 200
        # The link was followed before: say what became of that session (moved, cancelled,
        # attended) rather than book it again or call a cancelled session booked.
        session = session_for_key(runner, link.idempotency_key)
        if session is None and request.method == "POST":
            try:
                session = session_book(
                    runner=runner,
                    service=service,
                    therapist=therapist,
                    start=link.start,
                    by=runner.user,
                    idempotency_key=link.idempotency_key,
                )
            except BookingError as exc:
                context["error"] = exc.detail
                context["alternatives"] = _alternatives(runner, service, exc, clinic)
                status = exc.status_code
        elif (
            session is not None
            and request.method == "POST"
            and session.status != Session.Status.BOOKED
        ):
            # Asked to book, and nothing was booked.
            status = 409
        if session is not None:
            context.update(
                session=session,
                urls=session_urls(session),
                when=when(session.start, session.clinic),
                therapist=session.therapist,
            )
        response = render(request, "reminders/book.html", context, status=status)
    return response


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def offer(request, token: str):
    """A waitlist offer's claim link: GET shows the time and its state, POST claims it
    (booking.engine.waitlist.claim: the first claim wins, the others read "taken")."""
    offer_id = links.offer_id_from_token(token)
    found = (
        WaitlistOffer.objects.select_related(
            "runner__user", "therapist__clinic", "service", "session", "entry"
        )
        .filter(pk=offer_id)
        .first()
        if offer_id is not None
        else None
    )
    if found is None:
        return _invalid(request)
    runner = found.runner
    if not runner.user.is_active:
        return _revoked(request, runner)
    if request.user.is_authenticated and request.user.pk != runner.user_id:
        return render(request, "reminders/link_other_account.html", status=403)
    with translation.override(_language(request, runner)):
        clinic = found.therapist.clinic
        status = 200
        context = {"clinic": clinic, "therapist": found.therapist, "service": found.service}
        if request.method == "POST":
            try:
                found.session = waitlist.claim(offer=found, by=runner.user)
                found.state = WaitlistOffer.State.CLAIMED
            except (waitlist.WaitlistError, BookingError) as exc:
                context["error"] = exc.detail
                status = exc.status_code
                found.refresh_from_db(fields=["state"])
        state = waitlist.offer_state(found, now=timezone.now())
        if state == "offered" and found.entry.left_at is not None:
            state = "closed"
        context.update(
            state=state,
            when=when(found.start, clinic),
            until=when(found.expires_at, clinic),
            urls=session_urls(found.session) if found.session else None,
            waitlist_url=reverse("booking:waitlist"),
        )
        response = render(request, "reminders/offer.html", context, status=status)
    return response
