from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0003_revisions_into_history")]

    operations = [migrations.DeleteModel(name="Revision")]
