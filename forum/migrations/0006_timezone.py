from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('forum', '0005_trust_levels')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='timezone',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
