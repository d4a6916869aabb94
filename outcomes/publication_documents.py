"""A published version as files: the PDF, CITATION.cff, BibTeX and schema.org JSON-LD.

Everything is built from the frozen ``PublicationVersion`` alone, so the files of a version never
change and hold exactly its contributor list (nobody who chose to be anonymous is in it).

The PDF is drawn with ReportLab's Platypus: a pure-Python wheel (with Pillow's self-contained
wheel) that needs no system library, so ``make run`` keeps working on a fresh machine, unlike
WeasyPrint, which needs Pango. Text goes in with DejaVu Sans, bundled in ``outcomes/fonts/`` (free
licence beside it): Latin with its accents, Greek, Cyrillic, Hebrew and Arabic letters are embedded.
Limits: ReportLab neither shapes Arabic nor reorders right-to-left text, and DejaVu has no CJK glyphs
(those print as empty boxes).
"""

import io
import json
import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from outcomes.models.publication import PublicationVersion
from outcomes.publication_services import plain

PUBLISHER = "CohortNet"
FONTS = Path(__file__).resolve().parent / "fonts"


def version_url(version: PublicationVersion) -> str:
    return f"{settings.SITE_URL}{version.get_absolute_url()}"


def pdf_path(version: PublicationVersion) -> str:
    return reverse("outcomes:publication_pdf", kwargs={"slug": version.publication.slug, "number": version.number})


def file_stem(version: PublicationVersion) -> str:
    return f"{version.publication.slug}-v{version.number}"


def contributor_rows(version: PublicationVersion) -> list[dict]:
    """The contributor list for the page: ``{"name", "organisation"}`` per named person, then organisations alone.

    The page wraps each name in ``<bdi>``, so a name written right to left cannot reorder the text around it.
    """
    rows = [{"name": c["name"], "organisation": c["organisation"]} for c in version.named]
    rows += [{"name": "", "organisation": name} for name in version.organisations_credited]
    return rows


def contributor_lines(version: PublicationVersion) -> list[str]:
    """The contributor list as printed: "Name (Organisation)", then each organisation credited without names."""
    lines = [f"{c['name']} ({c['organisation']})" for c in version.named]
    lines += [f"{name} (organisation credited)" for name in version.organisations_credited]
    return lines


# --- PDF -----------------------------------------------------------------------------------------


@cache
def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("CNDejaVuSans", str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("CNDejaVuSansBold", str(FONTS / "DejaVuSans-Bold.ttf")))
    return "CNDejaVuSans", "CNDejaVuSansBold"


def _para(text: str) -> str:
    """Plain text for a Platypus paragraph: control characters dropped, markup characters escaped, line breaks kept."""
    return escape(plain(text)).replace("\n", "<br/>")


def _blocks(text: str) -> list[str]:
    """Markdown text as paragraphs of plain text (the markup characters of headings and lists dropped)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return [re.sub(r"^#{1,6}\s*", "", b) for b in blocks]


def version_pdf(version: PublicationVersion) -> bytes:
    """The version as a PDF: title, introduction, a heading per theme, contributors, licence and how to cite it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=15, spaceAfter=6)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=bold, fontSize=20, leading=25, spaceAfter=10)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6)

    story = [
        Paragraph(_para(version.title), title),
        Paragraph(
            _para(
                f"{version.publication.cohort.name} · version {version.number} · "
                f"published {version.published_at:%d %B %Y} (UTC)"
            ),
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    story += [Paragraph(_para(block), body) for block in _blocks(version.introduction)]
    for section in version.sections:
        story.append(Paragraph(_para(section["theme"]), heading))
        story += [Paragraph(_para(block), body) for block in _blocks(section["text"])]
    story.append(Paragraph("Contributors", heading))
    lines = contributor_lines(version)
    story += [Paragraph(_para(line), body) for line in lines] or [Paragraph("Nobody asked to be named.", body)]
    story.append(Paragraph("Licence", heading))
    story.append(Paragraph(_para(f"Published under {version.licence_label} ({version.licence_url})."), body))
    story.append(Paragraph("How to cite", heading))
    story.append(Paragraph(_para(citation_text(version)), body))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=version.title,
        author=PUBLISHER,
        subject=version.publication.cohort.name,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


# --- Citation ------------------------------------------------------------------------------------


def _authors(version: PublicationVersion) -> list[str]:
    """Who the version is by: the programme, then each named person (never an anonymous one)."""
    return [c["name"] for c in version.named]


def citation_text(version: PublicationVersion) -> str:
    return (
        f"{PUBLISHER} ({version.published_at:%Y}). {version.title} (version {version.number}). "
        f"{version.publication.cohort.name}. {version_url(version)}"
    )


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(value, ensure_ascii=False)


def citation_cff(version: PublicationVersion) -> str:
    """A ``CITATION.cff`` (Citation File Format 1.2.0) for the version."""
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this publication, please cite it as below."',
        'type: "generic"',
        f"title: {_yaml(version.title)}",
        f"version: {_yaml(str(version.number))}",
        f"date-released: {_yaml(version.published_at.date().isoformat())}",
        f"url: {_yaml(version_url(version))}",
        f"license: {_yaml(version.licence)}",
        "authors:",
        f"  - name: {_yaml(PUBLISHER)}",
    ]
    for name in _authors(version):
        lines.append(f"  - name: {_yaml(name)}")
    return "\n".join(lines) + "\n"


def _bibtex(value: str) -> str:
    """A BibTeX field value: braces and backslashes that would end or escape the field removed."""
    return re.sub(r"[{}\\]", "", value)


def citation_bibtex(version: PublicationVersion) -> str:
    authors = " and ".join(f"{{{_bibtex(name)}}}" for name in [PUBLISHER, *_authors(version)])
    key = re.sub(r"[^A-Za-z0-9]", "", version.publication.slug) + f"v{version.number}"
    fields = [
        f"  title = {{{_bibtex(version.title)}}}",
        f"  author = {{{authors}}}",
        f"  institution = {{{_bibtex(PUBLISHER)}}}",
        f"  year = {{{version.published_at:%Y}}}",
        # The month as BibTeX's own macro (jan ... dec), bare, so styles print it in their language.
        f"  month = {version.published_at:%b}".lower(),
        f"  version = {{{version.number}}}",
        f"  url = {{{version_url(version)}}}",
        f"  note = {{{_bibtex(version.licence_label)}}}",
    ]
    return f"@techreport{{{key},\n" + ",\n".join(fields) + "\n}\n"


def json_ld(version: PublicationVersion) -> SafeString:
    """schema.org ``Report`` for the page, safe inside ``<script type="application/ld+json">``."""
    data = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": version.title,
        "url": version_url(version),
        "version": str(version.number),
        "datePublished": version.published_at.date().isoformat(),
        "license": version.licence_url,
        "publisher": {"@type": "Organization", "name": PUBLISHER},
        "about": [s["theme"] for s in version.sections],
        "author": [{"@type": "Person", "name": c["name"], "affiliation": c["organisation"]} for c in version.named]
        + [{"@type": "Organization", "name": name} for name in version.organisations_credited],
        "encoding": {
            "@type": "MediaObject",
            "encodingFormat": "application/pdf",
            "contentUrl": f"{settings.SITE_URL}{pdf_path(version)}",
        },
    }
    text = json.dumps(data, ensure_ascii=False)
    # "<", ">" and "&" as escapes: a title such as "</script>" cannot end the script element.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 -- JSON with every markup character escaped just above


def open_data_rows() -> list[dict]:
    """The latest version of each publication, with its files' addresses, for ``/data/``: titles and links only."""
    latest = {}
    for version in PublicationVersion.objects.select_related("publication__cohort").order_by(
        "publication__cohort__starts_on", "publication_id", "-number"
    ):
        latest.setdefault(version.publication_id, version)
    rows = []
    for version in latest.values():
        slug, number = version.publication.slug, version.number
        rows.append(
            {
                "title": version.title,
                "cohort": version.publication.cohort.name,
                "version": number,
                "published_at": version.published_at,
                "licence": version.licence_label,
                "licence_url": version.licence_url,
                "html": version.publication.get_absolute_url(),
                "pdf": pdf_path(version),
                "cff": reverse("outcomes:publication_cff", kwargs={"slug": slug, "number": number}),
                "bib": reverse("outcomes:publication_bib", kwargs={"slug": slug, "number": number}),
            }
        )
    return rows
