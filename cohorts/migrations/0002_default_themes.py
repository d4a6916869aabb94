"""The four roundtable themes of the programme. Staff can edit or add to them."""

from django.db import migrations

THEMES = [
    ("barriers-to-publishing", "Barriers to publishing high-quality open data"),
    ("sustainability", "Sustainability and revenue models"),
    ("collaborative-data", "Collaborative data collection and maintenance"),
    ("diversity-equity-inclusion", "Diversity, equity and inclusion"),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("cohorts", "Theme")
    for position, (slug, name) in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0001_initial")]

    operations = [migrations.RunPython(add_themes, migrations.RunPython.noop)]
