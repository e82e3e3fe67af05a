"""API throttles beyond DRF's per-user and per-anonymous-IP ones."""

from rest_framework.throttling import SimpleRateThrottle


class IPRateThrottle(SimpleRateThrottle):
    """A ceiling per client address for every request, signed in or not.

    The client address is REMOTE_ADDR unless NUM_PROXIES says how many proxies in front
    of the app append to X-Forwarded-For (so a client cannot pick its own address).
    """

    scope = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
