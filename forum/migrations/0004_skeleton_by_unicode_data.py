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


class WidenSkeleton(ops.AlterField):
    """AlterField that widens the column in place.

    SQLite does not enforce VARCHAR lengths, so nothing changes there; Tortoise
    would rebuild the table, and dropping the old `users` table fails as soon
    as posts refer to it. PostgreSQL changes the type in place.
    """

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor and state_editor.client.capabilities.dialect != "sqlite":
            await state_editor._run_sql('ALTER TABLE "users" ALTER COLUMN "skeleton" TYPE VARCHAR(255)')


class Migration(migrations.Migration):
    dependencies = [('forum', '0003_drop_post_flag_count')]

    initial = False

    operations = [
        WidenSkeleton(
            model_name='User',
            name='skeleton',
            field=fields.CharField(db_index=True, max_length=255),
        ),
        ops.RunPython(recompute_skeletons, ops.RunPython.noop),
    ]
