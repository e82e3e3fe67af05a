"""Server-rendered SVG charts for the attendance dashboard: no JavaScript, no inline
styles (the CSP forbids them), presentation attributes only. The table next to each chart
carries the same figures for screen readers and for copying.

The geometry is computed here; the markup lives in templates/staff/charts/chart.svg, where
Django's auto-escaping covers every piece of text. Coordinates are formatted here, as
plain strings, so that no locale's decimal comma reaches the SVG."""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking.staff.reports import AttendanceReport

WIDTH, HEIGHT = 720, 260
PAD_L, PAD_R, PAD_T, PAD_B = 44, 12, 16, 48
TEMPLATE = "staff/charts/chart.svg"

SERIES = [
    ("attended", "#1b6e2a"),
    ("no_show", "#a4161a"),
    ("late_cancelled", "#b85c00"),
    ("cancelled", "#6b7280"),
    ("pending", "#0b5cad"),
]


@dataclass(frozen=True)
class GridLine:
    y: str
    label_y: str
    label: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    fill: str
    tip: str


@dataclass(frozen=True)
class Point:
    cx: str
    cy: str
    tip: str


@dataclass(frozen=True)
class Label:
    x: str
    text: str


@dataclass(frozen=True)
class LegendItem:
    x: int
    text_x: int
    fill: str
    text: str


@dataclass
class Chart:
    """What chart.svg draws, back to front: grid, lines, bars, points, labels, legend."""

    id: str
    title: str
    desc: str
    grid: list[GridLine] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # polyline points, "x,y x,y ..."
    bars: list[Bar] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    x_labels: list[Label] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    grid_x1: int = PAD_L
    grid_x2: int = WIDTH - PAD_R
    tick_x: int = PAD_L - 6
    x_label_y: int = HEIGHT - PAD_B + 16
    legend_y: int = HEIGHT - 18
    legend_text_y: int = HEIGHT - 9


def series_labels() -> dict[str, str]:
    return {
        "attended": _("Attended"),
        "no_show": _("No-show"),
        "late_cancelled": _("Cancelled late"),
        "cancelled": _("Cancelled"),
        "pending": _("Booked, not marked yet"),
    }


def _label(report: AttendanceReport, period) -> str:
    if report.group_by == "month":
        # Translators: Django date format for a month on a chart's axis, e.g. "Nov 2026".
        return date_format(period, _("M Y"))
    # Translators: Django date format for a day on a chart's axis, e.g. "27 Nov".
    return date_format(period, _("j M"))


TICKS = 4  # gridlines above zero


def _whole_step(value: int) -> int:
    """The step of the count axis: a whole, round number of sessions, so that no tick
    reads "1.25 sessions"; the axis tops at TICKS steps."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if value <= step * TICKS:
            return step
    return -(-value // TICKS)


def _grid(plot_h: float, values: list[tuple[float, str]]) -> list[GridLine]:
    """One horizontal line per (fraction of the height, tick label)."""
    lines = []
    for fraction, label in values:
        y = PAD_T + plot_h - plot_h * fraction
        lines.append(GridLine(y=f"{y:.1f}", label_y=f"{y + 4:.1f}", label=label))
    return lines


def _x_labels(report: AttendanceReport, n: int, slot: float) -> list[Label]:
    every = max(1, -(-n // 12))
    return [
        Label(x=f"{PAD_L + slot * i + slot / 2:.1f}", text=_label(report, row.period))
        for i, row in enumerate(report.rows)
        if not i % every
    ]


def _counts_summary(report: AttendanceReport) -> str:
    """The chart in words, for a screen reader (the SVG's desc): the period's totals."""
    t = report.total
    if t is None or not t.booked:
        return _("No sessions in this period.")
    return _(
        "Stacked bars per period. In all: all sessions %(all)s; attended %(attended)s; "
        "no-show %(no_show)s; cancelled late %(late)s; cancelled %(cancelled)s; "
        "booked, not marked yet %(pending)s. The table below has each period's figures."
    ) % {
        "all": t.booked,
        "attended": t.attended,
        "no_show": t.no_show,
        "late": t.late_cancelled,
        "cancelled": t.cancelled,
        "pending": t.pending,
    }


def _rate_summary(report: AttendanceReport) -> str:
    """The line in words: the rate over the period, and in its first and latest periods
    with anything to rate."""
    rated = [r for r in report.rows if r.rate is not None]
    if not rated:
        return _("No attended, missed or late-cancelled sessions to rate in this period.")
    return _(
        "A line per period: attended divided by attended, no-shows and late "
        "cancellations. %(total)s%% over the whole period; %(first)s%% in the week or month "
        "of %(first_period)s, %(last)s%% in that of %(last_period)s."
    ) % {
        "total": round(report.total.rate * 100) if report.total and report.total.rate else 0,
        "first": round(rated[0].rate * 100),
        "first_period": _label(report, rated[0].period),
        "last": round(rated[-1].rate * 100),
        "last_period": _label(report, rated[-1].period),
    }


def counts_chart(report: AttendanceReport) -> Chart:
    """Stacked bars: what became of the sessions of each period."""
    n = max(len(report.rows), 1)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    step = _whole_step(max((r.booked for r in report.rows), default=0))
    top = step * TICKS
    slot = plot_w / n
    bar = max(slot * 0.7, 1)
    chart = Chart(
        id="counts",
        title=_("Sessions by outcome"),
        desc=_counts_summary(report),
        grid=_grid(plot_h, [(i / TICKS, str(step * i)) for i in range(TICKS + 1)]),
    )
    labels = series_labels()
    for i, row in enumerate(report.rows):
        x = PAD_L + slot * i + (slot - bar) / 2
        y = PAD_T + plot_h
        for name, colour in SERIES:
            value = getattr(row, name)
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            chart.bars.append(
                Bar(
                    x=f"{x:.1f}",
                    y=f"{y:.1f}",
                    width=f"{bar:.1f}",
                    height=f"{h:.1f}",
                    fill=colour,
                    tip=f"{_label(report, row.period)}: {labels[name]} {value}",
                )
            )
    chart.x_labels = _x_labels(report, n, slot)
    lx = PAD_L
    for name, colour in SERIES:
        chart.legend.append(LegendItem(x=lx, text_x=lx + 14, fill=colour, text=labels[name]))
        lx += 14 + 7 * len(labels[name]) + 16
    return chart


def rate_chart(report: AttendanceReport) -> Chart:
    """The attendance rate per period, as a line (gaps where there is nothing to rate)."""
    n = max(len(report.rows), 1)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    slot = plot_w / n
    chart = Chart(
        id="rate",
        title=_("Attendance rate"),
        desc=_rate_summary(report),
        grid=_grid(plot_h, [(pct / 100, f"{pct}%") for pct in (0, 25, 50, 75, 100)]),
    )
    segment: list[str] = []
    segments = []
    for i, row in enumerate(report.rows):
        x = PAD_L + slot * i + slot / 2
        if row.rate is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = PAD_T + plot_h - plot_h * row.rate
        segment.append(f"{x:.1f},{y:.1f}")
        chart.points.append(
            Point(
                cx=f"{x:.1f}",
                cy=f"{y:.1f}",
                tip=f"{_label(report, row.period)}: {row.rate * 100:.0f}%",
            )
        )
    if segment:
        segments.append(segment)
    # Drawn in reverse order, as they always were (each inserted after the grid).
    chart.lines = [" ".join(seg) for seg in reversed(segments)]
    chart.x_labels = _x_labels(report, n, slot)
    return chart
