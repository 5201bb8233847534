from tortoise import migrations
from tortoise.migrations import operations as ops


class DropColumn(ops.RemoveField):
    """RemoveField that drops the column in place (SQLite 3.35+ and PostgreSQL both can).

    Tortoise removes a SQLite column by rebuilding the table, and dropping the old
    `posts` table fails as soon as revisions or flags refer to it.
    """

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor._run_sql(f'ALTER TABLE "posts" DROP COLUMN "{self.name}"')


class Migration(migrations.Migration):
    dependencies = [('forum', '0002_sessions_and_topic_edits')]

    initial = False

    operations = [
        DropColumn(model_name='Post', name='flag_count'),
    ]
