"""What the browser tests share: axe-core's serious and critical findings on a page."""

from axe_playwright_python.sync_playwright import Axe

SEVERE = {"serious", "critical"}


def severe_violations(page, context=None) -> list[str]:
    """axe-core's serious or critical violations on ``page`` (or within ``context``), one line each."""
    results = Axe().run(page, context) if context is not None else Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SEVERE
    ]
