"""The threshold wordings in force since the NRM began (DESIGN.md section 3).

Later changes in guidance are added by an administrator as new rows, not by a migration.
"""

import datetime

from django.db import migrations

WORDINGS = [
    (
        "rg",
        datetime.date(2009, 4, 1),
        "The decision maker suspects but cannot prove that the person is a victim of modern slavery.",
        "NRM guidance from 2009",
    ),
    (
        "rg",
        datetime.date(2023, 1, 30),
        "There are reasonable grounds to believe, based on objective factors but falling short of conclusive "
        "proof, that the person is a victim of modern slavery.",
        "Nationality and Borders Act 2022, section 60; statutory guidance of 30 January 2023",
    ),
    (
        "rg",
        datetime.date(2023, 7, 10),
        "There are reasonable grounds to believe, based on all available general and specific evidence but "
        "falling short of conclusive proof, that the person is a victim of modern slavery.",
        "Revised statutory guidance of July 2023",
    ),
    (
        "cg",
        datetime.date(2009, 4, 1),
        "On the balance of probabilities, it is more likely than not that the person is a victim of modern slavery.",
        "NRM guidance",
    ),
]


def add_wordings(apps, schema_editor):
    ThresholdWording = apps.get_model("decisions", "ThresholdWording")
    for kind, in_force_from, wording, source in WORDINGS:
        ThresholdWording.objects.get_or_create(
            kind=kind, in_force_from=in_force_from, defaults={"wording": wording, "source": source}
        )


def remove_wordings(apps, schema_editor):
    ThresholdWording = apps.get_model("decisions", "ThresholdWording")
    for kind, in_force_from, _, _ in WORDINGS:
        ThresholdWording.objects.filter(kind=kind, in_force_from=in_force_from).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(add_wordings, remove_wordings)]
