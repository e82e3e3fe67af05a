"""Pages and API endpoints for a runner's personal data: download it, delete the account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.runner.account import runner_account_delete, runner_data_export
from clinic import permissions
from clinic.api.schema import ERROR_RESPONSES
from clinic.forms import Form
from runners.api.permissions import IsRunner
from runners.selectors import own_runner, runner_of


def _runner_or_403(request):
    if not permissions.is_runner(request.user):
        raise PermissionDenied
    # A read never makes the profile: without one there is nothing of the runner to show.
    runner = runner_of(request.user)
    if runner is None:
        raise Http404
    return runner


class DeleteAccountForm(Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: my account, races and health notes are deleted for good, and my "
            "upcoming sessions are cancelled."
        )
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right."), code="wrong_password")
        return password


def _export_response(runner) -> HttpResponse:
    data = runner_data_export(runner=runner)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


@login_required
def privacy_page(request):
    _runner_or_403(request)
    return render(request, "privacy/privacy.html", {"form": DeleteAccountForm(user=request.user)})


@login_required
def data_download(request):
    return _export_response(_runner_or_403(request))


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["POST"])
def account_delete(request):
    runner = _runner_or_403(request)
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "privacy/privacy.html", {"form": form}, status=400)
    runner_account_delete(runner=runner)
    logout(request)
    messages.success(
        request,
        _(
            "Your account has been deleted. Your past sessions stay in the clinic's records "
            "without your name."
        ),
    )
    return redirect("home")


class DeleteAccountSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    confirm = serializers.BooleanField()

    def validate_password(self, value):
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError(
                _("That password is not right."), code="wrong_password"
            )
        return value

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError(
                _("Confirm that you want your account deleted."), code="not_confirmed"
            )
        return value


class MyDataView(APIView):
    """Everything the clinic holds about me, as JSON."""

    permission_classes = [IsRunner]

    @extend_schema(
        summary="Download all my data",
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES(401, 403)},
    )
    def get(self, request):
        return Response(runner_data_export(runner=own_runner(request.user)))


class DeleteMyAccountView(APIView):
    """Delete my account: races and health notes go, past sessions stay anonymised."""

    permission_classes = [IsRunner]

    @extend_schema(
        summary="Delete my account",
        request=DeleteAccountSerializer,
        responses={204: None, **ERROR_RESPONSES(400, 401, 403)},
    )
    def post(self, request):
        serializer = DeleteAccountSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        runner_account_delete(runner=own_runner(request.user))
        if hasattr(request, "session"):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
