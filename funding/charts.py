"""The budget chart, drawn on the server as SVG: no script, nothing from another host."""

from decimal import Decimal
from xml.sax.saxutils import escape


def budget_svg(rows, *, width: int = 640, bar_height: int = 18) -> str:
    """Horizontal bars per organisation: paid, then approved, against the award."""
    rows = list(rows)
    label_width = 220
    scale_max = max([Decimal("1")] + [getattr(r, "award", None).amount for r in rows if getattr(r, "award", None)])
    usable = width - label_width - 20
    height = 30 + len(rows) * (bar_height + 12)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="budget-chart-title" class="w-100">',
        '<title id="budget-chart-title">Paid and approved against each award</title>',
    ]
    for index, row in enumerate(rows):
        y = 20 + index * (bar_height + 12)
        award = getattr(row, "award", None)
        awarded = award.amount if award else Decimal("0")

        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(row.organisation.name[:32])}</text>')
        for value, colour in ((awarded, "#dee2e6"), (row.paid + row.approved, "#9ec5fe"), (row.paid, "#0b5ed7")):
            bar = int(usable * (value / scale_max))
            parts.append(f'<rect x="{label_width}" y="{y}" width="{bar}" height="{bar_height}" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)
