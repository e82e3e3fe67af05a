"""Form bases and fields shared by the runner, booking and staff forms (and allauth's)."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from clinic.models import BodyArea
from clinic.text import validate_no_control_characters


class RefuseControlCharacters:
    """Every text field of the form refuses control characters (clinic.text).

    Django's CharField refuses NUL alone; this widens it to the other controls, with our
    sentence in place of Django's. Applied when the form is cleaned, so fields a form adds
    in its own __init__ (after this one ran) are covered too."""

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and (
                validate_no_control_characters not in field.validators
            ):
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [validate_no_control_characters]
        super().full_clean()


class Form(RefuseControlCharacters, forms.Form):
    """The base of every form of the project."""


class ModelForm(RefuseControlCharacters, forms.ModelForm):
    """The base of every model form of the project."""


def body_areas_field(label) -> forms.MultipleChoiceField:
    """The body areas as optional checkboxes (a runner's areas of discomfort)."""
    return forms.MultipleChoiceField(
        label=label, choices=BodyArea.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
