import secrets

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from forum import pagecache


async def create_page_stamp(apps, schema_editor):
    """The change stamp the page cache checks, and the triggers that raise it with every change a page shows."""
    db = schema_editor.client
    dialect = "sqlite" if db.capabilities.dialect == "sqlite" else "postgres"
    # A random start: two databases (a restored backup, another forum) never count through the same stamps.
    start = secrets.randbelow(2**40)
    for statement in pagecache.STAMP_SCHEMA[dialect]:
        await db.execute_script(statement.replace("{start}", str(start)))


async def drop_page_stamp(apps, schema_editor):
    db = schema_editor.client
    dialect = "sqlite" if db.capabilities.dialect == "sqlite" else "postgres"
    for statement in pagecache.STAMP_DROP[dialect]:
        await db.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('forum', '0010_translations')]

    initial = False

    operations = [
        # Feed freshness (the newest change), the latest feed (newest approved first), a topic's feed.
        ops.AddIndex(model_name='Post', index=Index(fields=['changed_at'])),
        ops.AddIndex(model_name='Post', index=Index(fields=['status', 'approved_at'])),
        ops.AddIndex(model_name='Post', index=Index(fields=['topic_id', 'changed_at'])),
        # The index page and a category's page: the most recently active topics of one category.
        ops.AddIndex(model_name='Topic', index=Index(fields=['category_id', 'last_activity_at'])),
        ops.RunPython(create_page_stamp, drop_page_stamp),
    ]
