from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from forum.identity import skeleton


async def recompute_skeletons(apps, schema_editor):
    # Names are compared by their skeletons: every stored one is computed again
    # by the current rules (Unicode's confusables, UTS #39), not the old table.
    User = apps.get_model('forum', 'User')
    users = await User.all()
    for user in users:
        user.skeleton = skeleton(user.username)
    if users:
        await User.bulk_update(users, fields=['skeleton'], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [('forum', '0003_drop_post_flag_count')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='User',
            name='skeleton',
            field=fields.CharField(db_index=True, max_length=255),
        ),
        ops.RunPython(recompute_skeletons, ops.RunPython.noop),
    ]
