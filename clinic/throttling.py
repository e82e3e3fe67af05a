"""API throttles beyond DRF's per-user and per-anonymous-IP ones.

An anonymous request is counted per address by AnonRateThrottle; DRF's UserRateThrottle
and our IP ceiling would count it per address again, at looser rates: two more reads and
writes to Redis on every anonymous request (most of the traffic the evening a race opens)
that can never refuse one. They skip anonymous requests when the anonymous rate, over the
same period, is at least as strict as theirs.
"""

from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle


def _anon_rate_covers(throttle: SimpleRateThrottle, request) -> bool:
    """True for an anonymous request whose per-address anon rate is at least as strict."""
    if request.user and request.user.is_authenticated:
        return False
    anon = throttle.THROTTLE_RATES.get("anon")
    if not anon or not throttle.rate:
        return False
    anon_requests, anon_period = throttle.parse_rate(anon)
    return anon_period == throttle.duration and anon_requests <= throttle.num_requests


class SignedInRateThrottle(UserRateThrottle):
    """Per signed-in user (scope "user")."""

    def get_cache_key(self, request, view):
        if _anon_rate_covers(self, request):
            return None
        return super().get_cache_key(request, view)


class IPRateThrottle(SimpleRateThrottle):
    """A ceiling per client address for every request, signed in or not.

    The client address is REMOTE_ADDR unless NUM_PROXIES says how many proxies in front
    of the app append to X-Forwarded-For (so a client cannot pick its own address).
    """

    scope = "ip"

    def get_cache_key(self, request, view):
        if _anon_rate_covers(self, request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
