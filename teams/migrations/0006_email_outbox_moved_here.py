"""The email outbox moves from checkins to teams, where every app that sends email can
reach it. Only Django's picture of it moves: the table keeps its name and its rows
(checkins' 0003 forgets the model without touching the table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_teams(apps, schema_editor):
    """Keep the content type (and any permission on it) with the model."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="teams", model="emailoutbox").exists():
        ContentType.objects.using(db).filter(app_label="checkins", model="emailoutbox").update(
            app_label="teams"
        )


def content_type_to_checkins(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(
        app_label="checkins", model="emailoutbox"
    ).exists():
        ContentType.objects.using(db).filter(app_label="teams", model="emailoutbox").update(
            app_label="checkins"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("teams", "0005_team_page_version"),
        ("checkins", "0002_email_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EmailOutbox",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("reminder", "Check-in reminder"), ("nudge", "Missed check-in nudge"), ("digest", "Weekly digest")], max_length=10)),
                        ("period", models.DateField(help_text="The Monday of the week the email is about.")),
                        ("status", models.CharField(choices=[("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"), ("skipped", "Skipped")], default="pending", max_length=10)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("enqueued_at", models.DateTimeField(blank=True, null=True)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="outbox", to=settings.AUTH_USER_MODEL)),
                        ("team", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="outbox", to="teams.team")),
                    ],
                    options={
                        "db_table": "checkins_emailoutbox",
                        "ordering": ["created_at", "id"],
                        "indexes": [models.Index(fields=["status", "enqueued_at"], name="checkins_em_status_cc2c0e_idx")],
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("team__isnull", False)), fields=("kind", "recipient", "team", "period"), name="outbox_once_per_team_email"),
                            models.UniqueConstraint(condition=models.Q(("team__isnull", True)), fields=("kind", "recipient", "period"), name="outbox_once_per_personal_email"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_teams, content_type_to_checkins),
    ]
