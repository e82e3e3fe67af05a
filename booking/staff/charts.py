"""Server-rendered SVG charts for the attendance dashboard: no JavaScript, no inline
styles (the CSP forbids them), presentation attributes only. The table next to each chart
carries the same figures for screen readers and for copying."""

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from booking.staff.reports import AttendanceReport

WIDTH, HEIGHT = 720, 260
PAD_L, PAD_R, PAD_T, PAD_B = 44, 12, 16, 48

SERIES = [
    ("attended", "#1b6e2a"),
    ("no_show", "#a4161a"),
    ("late_cancelled", "#b85c00"),
    ("cancelled", "#6b7280"),
    ("pending", "#0b5cad"),
]


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


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step * 5:
            return -(-value // step) * step
    return value


def _render(chart_id: str, title: str, desc: str, body: list[str]) -> SafeString:
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    # Every piece of text in the body went through escape().
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308


def _x_labels(report, n, slot) -> list[str]:
    out = []
    every = max(1, -(-n // 12))
    for i, row in enumerate(report.rows):
        if i % every:
            continue
        x = PAD_L + slot * i + slot / 2
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - PAD_B + 16}" text-anchor="middle" fill="#1a1a1a">'
            f"{escape(_label(report, row.period))}</text>"
        )
    return out


def counts_chart(report: AttendanceReport) -> SafeString:
    """Stacked bars: what became of the sessions of each period."""
    n = max(len(report.rows), 1)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    top = _nice_max(max((r.booked for r in report.rows), default=0))
    slot = plot_w / n
    bar = max(slot * 0.7, 1)
    body = []
    for i in range(5):
        value = top * i / 4
        y = PAD_T + plot_h - plot_h * i / 4
        body.append(
            f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c4cbd3"/>'
            f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{value:g}</text>'
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
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(_label(report, row.period))}: {escape(labels[name])} {value}</title>"
                "</rect>"
            )
    body += _x_labels(report, n, slot)
    # Legend
    lx = PAD_L
    for name, colour in SERIES:
        body.append(
            f'<rect x="{lx}" y="{HEIGHT - 18}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{HEIGHT - 9}" fill="#1a1a1a">{escape(labels[name])}</text>'
        )
        lx += 14 + 7 * len(labels[name]) + 16
    title = _("Sessions by outcome")
    desc = _("Stacked bars per period; the table below has the same figures.")
    return _render("counts", title, desc, body)


def rate_chart(report: AttendanceReport) -> SafeString:
    """The attendance rate per period, as a line (gaps where there is nothing to rate)."""
    n = max(len(report.rows), 1)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    slot = plot_w / n
    body = []
    for pct in (0, 25, 50, 75, 100):
        y = PAD_T + plot_h - plot_h * pct / 100
        body.append(
            f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c4cbd3"/>'
            f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{pct}%</text>'
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
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#0b5cad">'
            f"<title>{escape(_label(report, row.period))}: {row.rate * 100:.0f}%</title></circle>"
        )
    if segment:
        segments.append(segment)
    for seg in segments:
        body.insert(
            5, f'<polyline points="{" ".join(seg)}" fill="none" stroke="#0b5cad" stroke-width="2"/>'
        )
    body += _x_labels(report, n, slot)
    title = _("Attendance rate")
    desc = _("Attended divided by attended, no-shows and late cancellations, per period.")
    return _render("rate", title, desc, body)
