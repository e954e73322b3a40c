"""Seed the subject dictionary (reference data; idempotent)."""

from django.db import migrations

SUBJECTS = [
    ("русский язык", "РУ"), ("математика", "МА"), ("окружающий мир", "ОМ"),
    ("биология", "БИ"), ("география", "ГЕ"), ("история", "ИС"),
    ("обществознание", "ОБ"), ("физика", "ФИ"), ("химия", "ХИ"),
    ("информатика", "ИН"), ("литература", "ЛИ"), ("английский язык", "АЯ"),
    ("немецкий язык", "НЯ"), ("французский язык", "ФЯ"),
]


def seed(apps, schema_editor):
    Subject = apps.get_model("monitoring", "Subject")
    for order, (name, short) in enumerate(SUBJECTS, start=1):
        Subject.objects.update_or_create(name=name, defaults={"short": short, "order": order})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_create_reports")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
