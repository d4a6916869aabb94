"""The budget chart, drawn on the server as SVG: no script, nothing from another host."""

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    colour_name: str


#: The chart's series, from the award's rest to what is paid: each bar is drawn from the start of the award to
#: the end of its series (so later, narrower bars lie on top), and the legend shows the same colour and total.
SERIES = [
    Series("unscheduled", "Not yet scheduled", "#dee2e6", "grey"),
    Series("scheduled", "Scheduled, not yet approved", "#ffc107", "amber"),
    Series("approved", "Approved, not yet paid", "#6ea8fe", "light blue"),
    Series("paid", "Paid", "#0b5ed7", "dark blue"),
]

ZERO = Decimal("0.00")


def _awarded(row) -> Decimal:
    award = getattr(row, "award", None)  # a member without an award raises AttributeError
    return award.amount if award else ZERO


def _reach(row) -> dict[str, Decimal]:
    """How far each series' bar reaches for one row: paid, then approved, then scheduled on top, then the award."""
    paid = row.paid
    approved = paid + row.approved
    scheduled = approved + row.scheduled
    return {"paid": paid, "approved": approved, "scheduled": scheduled, "unscheduled": max(_awarded(row), scheduled)}


def legend(rows) -> list[tuple[Series, Decimal]]:
    """Each series with its total over the rows (GBP), in the chart's order."""
    totals = dict.fromkeys(("paid", "approved", "scheduled", "unscheduled"), ZERO)
    for row in rows:
        totals["paid"] += row.paid
        totals["approved"] += row.approved
        totals["scheduled"] += row.scheduled
        totals["unscheduled"] += max(_awarded(row) - row.paid - row.approved - row.scheduled, ZERO)
    return [(series, totals[series.key]) for series in SERIES]


def budget_svg(rows, *, width: int = 640, bar_height: int = 18) -> str:
    """Horizontal bars per organisation (paid, approved, scheduled, the rest of the award) under a legend."""
    rows = list(rows)
    label_width = 220
    scale_max = max([Decimal("1")] + [max(_reach(r).values()) for r in rows])
    usable = width - label_width - 20
    legend_height = 24 * len(SERIES) + 8
    height = legend_height + 30 + len(rows) * (bar_height + 12)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="budget-chart-title" class="w-100">',
        '<title id="budget-chart-title">Paid, approved and scheduled against each award</title>',
        '<g class="legend">',
    ]
    for index, (series, total) in enumerate(legend(rows)):
        y = 4 + index * 24
        parts.append(
            f'<rect data-series="{series.key}" x="0" y="{y}" width="16" height="16" fill="{series.colour}"/>'
            f'<text data-series="{series.key}" x="24" y="{y + 13}" font-size="12">'
            f"{escape(series.label)}: £{total:,.2f}</text>"
        )
    parts.append("</g>")
    for index, row in enumerate(rows):
        y = legend_height + 20 + index * (bar_height + 12)
        reach = _reach(row)
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(row.organisation.name[:32])}</text>')
        for series in SERIES:
            bar = int(usable * (reach[series.key] / scale_max))
            parts.append(
                f'<rect data-series="{series.key}" x="{label_width}" y="{y}" width="{bar}" '
                f'height="{bar_height}" fill="{series.colour}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
