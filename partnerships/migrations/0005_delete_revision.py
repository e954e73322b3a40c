from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0004_revisions_into_history")]

    operations = [migrations.DeleteModel(name="Revision")]
