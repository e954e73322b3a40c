"""
CriterionResult keyed by (run, school, criterion) instead of an id and two
indexes: one index to maintain for half a million rows per country-wide run.

Django cannot change a primary key into a composite one in place, so the rows
move to a new table: the old one is renamed, the new one created, the rows
copied and the old table dropped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COLUMNS = "run_id, school_id, criterion, state, value, threshold, rank, margin"


def copy_rows(apps, schema_editor):
    old = apps.get_model("identification", "CriterionResultBefore")._meta.db_table
    new = apps.get_model("identification", "CriterionResult")._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(f"INSERT INTO {quote(new)} ({COLUMNS}) SELECT {COLUMNS} FROM {quote(old)}")


class Migration(migrations.Migration):

    dependencies = [
        ('identification', '0003_criterion_state_labels'),
        ('schools', '0001_create_registry'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name='criterionresult', name='identificat_run_id_7f45aa_idx'),
        migrations.RemoveIndex(model_name='criterionresult', name='identificat_run_id_c7695e_idx'),
        migrations.RenameModel('CriterionResult', 'CriterionResultBefore'),
        migrations.AlterField(
            model_name='criterionresultbefore', name='run',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='identification.identificationrun'),
        ),
        migrations.CreateModel(
            name='CriterionResult',
            fields=[
                ('pk', models.CompositePrimaryKey('run', 'school', 'criterion', blank=True, editable=False, primary_key=True, serialize=False)),
                ('criterion', models.CharField(max_length=4, verbose_name='критерий')),
                ('state', models.CharField(choices=[('flagged', 'отмечен'), ('not_flagged', 'не отмечен'), ('no_data', 'нет данных'), ('not_applicable', 'не применяется')], max_length=20, verbose_name='состояние')),
                ('value', models.FloatField(blank=True, null=True, verbose_name='значение')),
                ('threshold', models.FloatField(blank=True, null=True, verbose_name='порог')),
                ('rank', models.PositiveIntegerField(blank=True, null=True, verbose_name='место')),
                ('margin', models.FloatField(blank=True, null=True, verbose_name='запас до порога')),
                ('run', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='criterion_results', to='identification.identificationrun')),
                ('school', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='schools.school')),
            ],
            options={'verbose_name': 'критерий школы', 'verbose_name_plural': 'критерии школ'},
        ),
        migrations.RunPython(copy_rows, migrations.RunPython.noop),
        migrations.DeleteModel(name='CriterionResultBefore'),
    ]
