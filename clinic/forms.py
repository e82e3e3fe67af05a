"""Form fields shared by the runner, booking and staff forms."""

from django import forms

from .models import BodyArea


def body_areas_field(label) -> forms.MultipleChoiceField:
    """The body areas as optional checkboxes (discomfort, areas treated)."""
    return forms.MultipleChoiceField(
        label=label, choices=BodyArea.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
