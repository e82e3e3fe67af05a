"""The limits on every file a runner uploads, in one place: the .ics import (races, and a
training plan's planned sessions) and the activity import (.fit, .gpx, .tcx, or a zip of
them). The pages, the API and the parsers ask these; docs/training.md gives the reasons.

An activity file carries a GPS point a second (a marathon in .gpx is 2-5 MB), so its
size limit is higher than a calendar's; the count limit is how many activities one
import may hold (a year of daily runs fits twice). Hostile files are handled alike: the
size is checked before anything is read, a zip's members are counted and their unpacked
size and ratio checked before any is opened, XML is parsed without DTDs or entities
(defusedxml), and text with control characters is refused (clinic.text).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

KB = 1024
MB = 1024 * KB


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_items: int

    @property
    def size_words(self) -> str:
        if self.max_bytes >= MB:
            return _("%(mb)s MB") % {"mb": self.max_bytes // MB}
        return _("%(kb)s KB") % {"kb": self.max_bytes // KB}


ICS = UploadLimits(max_bytes=512 * KB, max_items=200)
ACTIVITIES = UploadLimits(max_bytes=20 * MB, max_items=1000)
# A zip: its members unpacked at most this much in all, and none more than 100 times
# its packed size (a zip bomb).
MAX_UNPACKED_BYTES = 200 * MB
MAX_ZIP_RATIO = 100


class UploadError(ValueError):
    """The whole upload is unusable; the message says why, for the runner."""

    def __init__(self, message: str, *, code: str = "invalid_file") -> None:
        super().__init__(message)
        self.code = code


def check_size(size: int, limits: UploadLimits) -> None:
    if size > limits.max_bytes:
        raise UploadError(
            _("That file is too big (%(size)s). The limit is %(limit)s.")
            % {"size": _("%(kb)s KB") % {"kb": size // KB}, "limit": limits.size_words},
            code="file_too_big",
        )


def check_count(count: int, limits: UploadLimits) -> None:
    if count > limits.max_items:
        raise UploadError(
            _("The file has %(count)s items; import at most %(max)s at a time.")
            % {"count": count, "max": limits.max_items},
            code="too_many_items",
        )
