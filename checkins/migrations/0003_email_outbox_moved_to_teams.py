"""The email outbox now belongs to teams (teams' 0006): forget the model here, keep the
table, which teams uses under its old name."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("checkins", "0002_email_outbox"),
        ("teams", "0006_email_outbox_moved_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="EmailOutbox")],
            database_operations=[],
        ),
    ]
