"""A staff member's own settings: name and language (kept across sign-ins)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from booking.staff.forms import StaffProfileForm
from booking.staff.pages.base import staff_required
from clinic import permissions
from clinic import services as clinic_services
from clinic.errors import CodedError
from clinic.i18n import set_language_cookie


@staff_required
def profile(request):
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
    }
    form = StaffProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clinic_services.staff_profile_update(user=user, **data)
        except CodedError as err:
            form.add_error("language", err.detail)
        else:
            translation.activate(data["language"])
            messages.success(request, _("Your settings are saved."))
            response = redirect("staff:profile")
            set_language_cookie(response, data["language"])
            return response
    return render(
        request,
        "staff/profile.html",
        {
            "form": form,
            "therapist": permissions.own_therapist(user),
        },
        status=400 if request.method == "POST" else 200,
    )
