from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("identification", "0006_methodology_owner_fill")]

    operations = [
        migrations.AddConstraint(
            model_name='methodology',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('is_preset', True), ('municipality__isnull', True), ('region__isnull', True)), models.Q(('is_preset', False), ('municipality__isnull', False), ('region__isnull', True)), models.Q(('is_preset', False), ('municipality__isnull', True), ('region__isnull', False)), _connector='OR'), name='identification_methodology_one_owner'),
        ),
    ]
