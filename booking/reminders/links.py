"""Links in reminder e-mails: absolute page addresses, and the signed tokens
(unsubscribe, one-click booking) that work without signing in."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse

from booking.models import Session
from runners.models import Runner


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _first_url(names: list[str], kwargs: dict, fallback: str) -> str:
    """A runner page owned by the web pages; the first name that resolves wins."""
    for name in names:
        try:
            return absolute(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return absolute(fallback)


def session_urls(session: Session) -> dict[str, str]:
    kw = {"pk": session.pk}
    return {
        "detail": _first_url(
            ["booking:session_detail", "booking:session"], kw, f"/sessions/{session.pk}/"
        ),
        "reschedule": _first_url(
            ["booking:session_reschedule", "booking:reschedule"],
            kw,
            f"/sessions/{session.pk}/reschedule/",
        ),
        "cancel": _first_url(
            ["booking:session_cancel", "booking:cancel"], kw, f"/sessions/{session.pk}/cancel/"
        ),
    }


def booking_page_url() -> str:
    return _first_url(["booking:book", "booking:booking", "booking:new"], {}, "/book/")


UNSUBSCRIBE_SALT = "booking.reminders.unsubscribe"
BOOK_SALT = "booking.reminders.book"
BOOK_LINK_MAX_AGE = 60 * 60 * 24 * 14


def unsubscribe_token(runner: Runner) -> str:
    """Works without logging in and does not expire: an old e-mail's link still works."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"r": runner.pk})


def runner_from_unsubscribe_token(token: str) -> Runner | None:
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    return Runner.objects.select_related("user").filter(pk=data["r"]).first()


@dataclass(frozen=True)
class BookLink:
    runner_id: int
    therapist_id: int
    service_id: int
    start: datetime

    @property
    def idempotency_key(self) -> str:
        """The session a link books carries this key: following the link again finds that
        session (whatever became of it) rather than booking a second one."""
        return f"reminder-link-{self.therapist_id}-{int(self.start.timestamp())}"


def book_token(*, runner_id: int, therapist_id: int, service_id: int, start: datetime) -> str:
    return signing.dumps(
        {"r": runner_id, "t": therapist_id, "s": service_id, "at": int(start.timestamp())},
        salt=BOOK_SALT,
        compress=True,
    )


def book_link_from_token(token: str) -> BookLink | None:
    """None for a tampered or expired link."""
    try:
        data = signing.loads(token, salt=BOOK_SALT, max_age=BOOK_LINK_MAX_AGE)
        return BookLink(
            runner_id=int(data["r"]),
            therapist_id=int(data["t"]),
            service_id=int(data["s"]),
            start=datetime.fromtimestamp(int(data["at"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


OFFER_SALT = "booking.reminders.waitlist-offer"


def offer_token(offer_id: int) -> str:
    """The claim link of a waitlist offer: it names the offer (which names the runner);
    the offer's own expiry is what ends it."""
    return signing.dumps({"o": offer_id}, salt=OFFER_SALT)


def offer_id_from_token(token: str) -> int | None:
    """None for a tampered link (or one older than any offer lives)."""
    try:
        data = signing.loads(token, salt=OFFER_SALT, max_age=BOOK_LINK_MAX_AGE)
        return int(data["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
