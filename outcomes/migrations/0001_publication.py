import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


LICENCES = {"CC BY 4.0": "CC-BY-4.0", "CC BY-SA 4.0": "CC-BY-SA-4.0", "CC0 1.0": "CC0-1.0", "CC0": "CC0-1.0"}


def copy_legacy_publications(apps, schema_editor):
    """Each ``cohorts.Publication`` becomes an outcomes publication; a published one gets version 1 with its text.

    The old output credited organisations inside each entry, so version 1 keeps those credit lines in its
    text as they were published; its contributor list is empty, since no person was ever asked.
    """
    Legacy = apps.get_model("cohorts", "Publication")
    Publication = apps.get_model("outcomes", "Publication")
    Version = apps.get_model("outcomes", "PublicationVersion")
    for old in Legacy.objects.all():
        if Publication.objects.filter(cohort_id=old.cohort_id).exists() or Publication.objects.filter(
            slug=old.slug
        ).exists():
            continue
        licence = LICENCES.get(old.licence, "CC-BY-4.0")
        new = Publication.objects.create(
            cohort_id=old.cohort_id, title=old.title, slug=old.slug, introduction=old.introduction, licence=licence
        )
        if old.published_at is None:
            continue
        sections = [
            {
                "theme": section["theme"],
                "text": "\n\n".join(f"{entry['text']}\n\n*{entry['credit']}*" for entry in section.get("entries", [])),
            }
            for section in old.sections
        ]
        Version.objects.create(
            publication=new,
            number=1,
            title=old.title,
            introduction=old.introduction,
            sections=sections,
            contributors=[],
            licence=licence,
            published_at=old.published_at,
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cohorts', '0009_message_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Publication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('slug', models.SlugField(help_text='Its public address: /outputs/<slug>/.', max_length=200, unique=True)),
                ('introduction', models.TextField(blank=True, max_length=20000)),
                ('licence', models.CharField(choices=[('CC-BY-4.0', 'CC BY 4.0'), ('CC-BY-SA-4.0', 'CC BY-SA 4.0'), ('CC0-1.0', 'CC0 1.0')], default='CC-BY-4.0', max_length=20)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('cohort', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='output', to='cohorts.cohort')),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='PublicationCredit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('choice', models.CharField(choices=[('named', 'By my name and organisation'), ('organisation', 'By my organisation only'), ('anonymous', 'Not at all (anonymous)')], max_length=20)),
                ('answered_at', models.DateTimeField()),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cohorts.organisation')),
                ('publication', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credits', to='outcomes.publication')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='publication_credits', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('publication', 'user'), name='outcomes_publicationcredit_one_per_person')],
            },
        ),
        migrations.CreateModel(
            name='PublicationSection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(blank=True, max_length=50000)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('publication', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='outcomes.publication')),
                ('theme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cohorts.theme')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['theme__position', 'theme__name'],
                'constraints': [models.UniqueConstraint(fields=('publication', 'theme'), name='outcomes_publicationsection_one_per_theme')],
            },
        ),
        migrations.CreateModel(
            name='PublicationSignOff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('signed_at', models.DateTimeField()),
                ('digest', models.CharField(help_text='SHA-256 of the draft the lead contact signed off.', max_length=64)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cohorts.organisation')),
                ('publication', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sign_offs', to='outcomes.publication')),
                ('signed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'publication sign-off',
                'constraints': [models.UniqueConstraint(fields=('publication', 'organisation'), name='outcomes_publicationsignoff_one_per_organisation')],
            },
        ),
        migrations.CreateModel(
            name='PublicationVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('title', models.CharField(max_length=200)),
                ('introduction', models.TextField(blank=True)),
                ('sections', models.JSONField(default=list)),
                ('contributors', models.JSONField(blank=True, default=list)),
                ('licence', models.CharField(choices=[('CC-BY-4.0', 'CC BY 4.0'), ('CC-BY-SA-4.0', 'CC BY-SA 4.0'), ('CC0-1.0', 'CC0 1.0')], max_length=20)),
                ('published_at', models.DateTimeField()),
                ('publication', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='outcomes.publication')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['publication', '-number'],
                'constraints': [models.UniqueConstraint(fields=('publication', 'number'), name='outcomes_publicationversion_one_number'), models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='outcomes_publicationversion_number_from_1')],
            },
        ),
        migrations.RunPython(copy_legacy_publications, migrations.RunPython.noop),
    ]
