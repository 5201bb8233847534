"""The moderators' member search compares names in the database: each account's name under the folding of search.

The fill is plain SQL on the migration's own connection, reading the two
columns it needs, so that later changes of the User model cannot break it.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from forum.search.members import fold_name

BATCH = 500


async def fold_names(apps, schema_editor):
    db = schema_editor.client
    sqlite = db.capabilities.dialect == "sqlite"
    after, update = (
        ("?", "UPDATE users SET name_folded = ? WHERE id = ?")
        if sqlite
        else ("$1", "UPDATE users SET name_folded = $1 WHERE id = $2")
    )
    last = 0
    while rows := await db.execute_query_dict(
        f"SELECT id, username FROM users WHERE id > {after} ORDER BY id LIMIT {BATCH}", [last]
    ):
        await db.execute_many(update, [[fold_name(row["username"]), row["id"]] for row in rows])
        last = rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [('forum', '0011_speed')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='name_folded',
            field=fields.CharField(default='', db_default='', db_index=True, max_length=255),
        ),
        ops.RunPython(fold_names, ops.RunPython.noop),
    ]
