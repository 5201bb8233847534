from tortoise import migrations
from tortoise.migrations import operations as ops

from forum.search import index


async def create_search_index(apps, schema_editor):
    """The index's tables, in each database's own dialect, filled from what is already there."""
    db = schema_editor.client
    for statement in index.SQLITE_SCHEMA if index.is_sqlite(db) else index.POSTGRES_SCHEMA:
        await db.execute_script(statement)
    await index.rebuild(with_translations=False)


async def drop_search_index(apps, schema_editor):
    db = schema_editor.client
    tables = ("search_fts", "search_documents") if index.is_sqlite(db) else ("search_index",)
    for table in tables:
        await db.execute_script(f"DROP TABLE {table}")


class Migration(migrations.Migration):
    dependencies = [('forum', '0006_timezone')]

    initial = False

    operations = [
        ops.RunPython(create_search_index, drop_search_index),
    ]
