"""Signed-in devices, for everyone with an account: the list (also on a runner's profile),
revoking one, and signing out everywhere else. Plain forms: no JavaScript needed."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic import tokens


def devices_context(request) -> dict:
    return {"devices": list(tokens.tokens_for(request.user))}


def _back(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("account-devices")
    return redirect(target)


@login_required
@require_GET
def devices(request):
    return render(request, "devices/page.html", devices_context(request))


@login_required
@require_POST
def device_revoke(request, pk: int):
    if not tokens.token_revoke(user=request.user, token_id=pk):
        raise Http404
    messages.success(request, _("That device is signed out."))
    return _back(request)


@login_required
@require_POST
def sign_out_others(request):
    tokens.user_sign_out_everywhere(user=request.user)
    # Every browser session was just invalidated; this one is given the new hash.
    update_session_auth_hash(request, request.user)
    messages.success(request, _("Signed out everywhere else. This browser stays signed in."))
    return _back(request)
