"""Django admin forms whose save is a service call (the one the API and the pages use)."""

from typing import Any

from django.core.exceptions import ValidationError

from clinic.errors import CodedError
from clinic.forms import ModelForm


class ServiceWriteForm(ModelForm):
    """A form whose save is a service call, made once the form is otherwise valid.

    The call happens while the form validates, so that a refusal decided under the lock (a
    booking that got in first, the database's exclusion constraint, an overlap) is this
    form's error in the service's words, never a 500. The admin's view wraps it in its
    transaction. `by` is who makes the change (set by the ModelAdmin's get_form).
    """

    by = None

    def __init__(self, *args: Any, by: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if by is not None:
            self.by = by

    def write(self) -> Any:
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            written = self.write()
        except CodedError as error:
            self.add_error(None, ValidationError(error.detail, code=error.code))
        else:
            if written is not None:
                self.instance = written


class ServiceWriteAdminMixin:
    """For a ModelAdmin whose form is a ServiceWriteForm: the form gets the requester, and
    nothing is left to save afterwards."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.by = request.user  # a class made for this request by modelform_factory
        return form

    def save_model(self, request, obj, form, change):
        """Nothing left to save: the form wrote through the service."""
