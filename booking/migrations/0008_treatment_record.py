"""The treatment record gains a side for each area, finer leg areas and discomfort
scores before and after. The areas treated, a list of coarse areas until now, become
{area: side}: "legs" becomes the leg muscle groups an unloading massage works on
(quadriceps, hamstrings, calves), every area on both sides (the old record had no side;
an unloading massage works both legs unless the note says otherwise)."""

import django.core.validators
from django.db import migrations, models

import booking.models

LEGS = ("quadriceps", "hamstrings", "calves")
FINE_LEG_AREAS = {*LEGS, "plantar_fascia", "it_band"}


def to_sides(apps, schema_editor):
    Session = apps.get_model("booking", "Session")
    changed = []
    for s in Session.objects.only("pk", "areas_treated").iterator(chunk_size=2000):
        if isinstance(s.areas_treated, list):
            areas = [a for old in s.areas_treated for a in (LEGS if old == "legs" else (old,))]
            s.areas_treated = dict.fromkeys(areas, "both")
            changed.append(s)
    Session.objects.bulk_update(changed, ["areas_treated"], batch_size=2000)


def to_list(apps, schema_editor):
    Session = apps.get_model("booking", "Session")
    changed = []
    for s in Session.objects.only("pk", "areas_treated").iterator(chunk_size=2000):
        if isinstance(s.areas_treated, dict):
            coarse = ["legs" if a in FINE_LEG_AREAS else a for a in s.areas_treated]
            s.areas_treated = list(dict.fromkeys(coarse))
            changed.append(s)
    Session.objects.bulk_update(changed, ["areas_treated"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0007_waitlist"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="discomfort_before",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(10)],
                verbose_name="discomfort before (0-10)",
            ),
        ),
        migrations.AddField(
            model_name="session",
            name="discomfort_after",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(10)],
                verbose_name="discomfort after (0-10)",
            ),
        ),
        migrations.RunPython(to_sides, to_list),
        migrations.AlterField(
            model_name="session",
            name="areas_treated",
            field=models.JSONField(
                blank=True,
                default=dict,
                validators=[booking.models.validate_treated_areas],
                verbose_name="areas treated",
            ),
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("discomfort_before__isnull", True),
                        ("discomfort_before__lte", 10),
                        _connector="OR",
                    ),
                    models.Q(
                        ("discomfort_after__isnull", True),
                        ("discomfort_after__lte", 10),
                        _connector="OR",
                    ),
                ),
                name="session_discomfort_0_to_10",
            ),
        ),
    ]
