"""Self-massage routines with a foam roller, by muscle group: between sessions, never
instead of them. Shown on the self-care page, the session page and in reminders."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Routine:
    slug: str
    muscle: str
    title: str
    steps: tuple[str, ...]
    minutes: int


ROUTINES: tuple[Routine, ...] = (
    Routine(
        "quadriceps",
        _("Quadriceps"),
        _("Foam roller for the quadriceps"),
        (
            _("Lie face down with the roller under the front of your thighs."),
            _("Roll slowly from just above the knee to the hip, 60 to 90 seconds a leg."),
            _("Stop 20 seconds on a tender spot and breathe; never roll over the kneecap."),
        ),
        5,
    ),
    Routine(
        "calves",
        _("Calves"),
        _("Foam roller for the calves"),
        (
            _(
                "Sit with the roller under one calf, the other leg crossed on top for more pressure."
            ),
            _("Lift your hips and roll from the ankle to below the knee, 60 seconds."),
            _("Turn the foot in and out to reach both sides of the calf."),
        ),
        4,
    ),
    Routine(
        "hamstrings",
        _("Hamstrings"),
        _("Foam roller for the hamstrings"),
        (
            _("Sit with the roller under the back of your thighs, hands behind you."),
            _("Roll from the sit bones to just above the back of the knee, 60 seconds."),
            _("Keep the movement slow; ease off if you feel tingling."),
        ),
        4,
    ),
    Routine(
        "glutes",
        _("Glutes"),
        _("Foam roller for the glutes"),
        (
            _("Sit on the roller, cross one ankle over the other knee and lean to that side."),
            _("Roll in small circles over the buttock for 60 seconds a side."),
            _("Finish with a gentle figure-four stretch, 30 seconds a side."),
        ),
        4,
    ),
    Routine(
        "lower-back",
        _("Lower back"),
        _("Gentle release for the lower back"),
        (
            _("Do not roll the lumbar spine directly: lie on your back with knees bent."),
            _("Bring both knees to the chest and rock gently side to side for 60 seconds."),
            _("Roll the upper back (below the shoulder blades) instead, 60 seconds."),
        ),
        3,
    ),
)

BY_SLUG = {r.slug: r for r in ROUTINES}


def pick_routine(seed: int) -> Routine:
    """A routine that changes from one reminder to the next (seed: e.g. a day number)."""
    return ROUTINES[seed % len(ROUTINES)]
