from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class DropColumn(ops.RemoveField):
    """RemoveField that drops the column in place (SQLite 3.35+ and PostgreSQL both can).

    Tortoise removes a SQLite column by rebuilding the table, and dropping the old
    `users` table fails as soon as posts or flags refer to it.
    """

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor._run_sql(f'ALTER TABLE "users" DROP COLUMN "{self.name}"')


class Migration(migrations.Migration):
    dependencies = [('forum', '0007_search')]

    initial = False

    operations = [
        # Sessions are now rows of their own; every session made before ends.
        DropColumn(model_name='User', name='session_epoch'),
        ops.AddField(model_name='User', name='totp_secret', field=fields.CharField(null=True, max_length=64)),
        ops.AddField(model_name='User', name='totp_last_step', field=fields.BigIntField(null=True)),
        ops.AddField(
            model_name='User',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('device', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sessions', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'One login of a member, ended by logging out here or from the list of sessions.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'recovery_codes', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'A one-time code that resets a password or stands in for a second factor, kept as a keyed hash.'},
            bases=['Model'],
        ),
    ]
