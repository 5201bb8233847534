from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from forum.models import PostStatus, TrustLevel


class DropColumn(ops.RemoveField):
    """RemoveField that drops the column in place (SQLite 3.35+ and PostgreSQL both can).

    Tortoise removes a SQLite column by rebuilding the table, and dropping the old
    `users` table fails as soon as posts or flags refer to it.
    """

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor._run_sql(f'ALTER TABLE "users" DROP COLUMN "{self.name}"')


class Migration(migrations.Migration):
    dependencies = [('forum', '0004_skeleton_by_unicode_data')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='trust_level',
            field=fields.CharEnumField(default=TrustLevel.NEW, db_default=TrustLevel.NEW, description='NEW: new\nMEMBER: member\nTRUSTED: trusted', enum_type=TrustLevel, max_length=16),
        ),
        ops.AddField(model_name='User', name='trust_locked', field=fields.BooleanField(default=False, db_default=False)),
        ops.AddField(model_name='User', name='last_seen_on', field=fields.DateField(null=True)),
        ops.AddField(model_name='User', name='days_visited', field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='User', name='posts_read', field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='User', name='flags_upheld', field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='User', name='flags_dismissed', field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='Category', name='trusted_may_open', field=fields.BooleanField(default=False, db_default=False)),
        ops.AddField(model_name='Flag', name='weight', field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='Flag', name='upheld', field=fields.BooleanField(null=True)),
        ops.AddField(model_name='Post', name='auto_hidden', field=fields.BooleanField(default=False, db_default=False)),
        ops.AddField(
            model_name='Post',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Post',
            name='deleted_from',
            field=fields.CharEnumField(null=True, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nHIDDEN: hidden\nDELETED: deleted', enum_type=PostStatus, max_length=16),
        ),
        # The single bit becomes a level. A member a moderator trusted, or who had the
        # three approved posts that used to end pre-moderation, is a *member*: that is
        # what the bit granted. The *trusted* level adds flag weight and opening topics,
        # which nobody granted them; it is earned by activity from now on. Moderators
        # and administrators are trusted by their role whatever their level.
        ops.RunSQL(
            "UPDATE users SET trust_level = 'member' "
            "WHERE role = 'member' AND (trusted OR approved_count >= 3)"
        ),
        # Posts hidden by flags with no moderator's decision yet say so on their placeholder.
        ops.RunSQL(
            "UPDATE posts SET auto_hidden = TRUE WHERE status = 'hidden' "
            "AND id IN (SELECT post_id FROM flags WHERE resolved_at IS NULL)"
        ),
        DropColumn(model_name='User', name='trusted'),
    ]
