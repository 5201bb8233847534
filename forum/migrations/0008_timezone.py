from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('forum', '0003_drop_post_flag_count')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='timezone',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
