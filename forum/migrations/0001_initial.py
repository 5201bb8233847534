import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from forum.models import FlagReason, PostStatus, Role


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=64)),
                ('position', fields.IntField(default=0)),
                ('names', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('descriptions', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'categories', 'app': 'forum', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(max_length=32)),
                ('username_key', fields.CharField(unique=True, max_length=64)),
                ('skeleton', fields.CharField(db_index=True, max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharEnumField(default=Role.MEMBER, description='MEMBER: member\nMODERATOR: moderator\nADMIN: admin', enum_type=Role, max_length=16)),
                ('language', fields.CharField(null=True, max_length=2)),
                ('reads_languages', fields.CharField(default='', max_length=16)),
                ('approved_count', fields.IntField(default=0)),
                ('rejected_count', fields.IntField(default=0)),
                ('trusted', fields.BooleanField(default=False)),
                ('suspended_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('suspension_reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'users', 'app': 'forum', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Topic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('category', fields.ForeignKeyField('forum.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='topics', on_delete=OnDelete.RESTRICT)),
                ('seed_key', fields.CharField(null=True, unique=True, max_length=64)),
                ('author', fields.ForeignKeyField('forum.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='topics', on_delete=OnDelete.SET_NULL)),
                ('locked', fields.BooleanField(default=False)),
                ('reply_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_activity_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'topics', 'app': 'forum', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('topic', fields.ForeignKeyField('forum.Topic', source_field='topic_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('forum.Post', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('root_id', fields.IntField(null=True, db_index=True)),
                ('path', fields.CharField(default='', max_length=1000)),
                ('depth', fields.IntField(default=0)),
                ('author', fields.ForeignKeyField('forum.User', source_field='author_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.RESTRICT)),
                ('language', fields.CharField(max_length=2)),
                ('source', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(db_index=True, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nHIDDEN: hidden\nDELETED: deleted', enum_type=PostStatus, max_length=16)),
                ('reject_reason', fields.TextField(default='', unique=False)),
                ('flag_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.ForeignKeyField('forum.User', source_field='approved_by_id', null=True, db_constraint=True, to_field='id', related_name='approved_posts', on_delete=OnDelete.SET_NULL)),
                ('pending_source', fields.TextField(null=True, unique=False)),
                ('pending_html', fields.TextField(null=True, unique=False)),
                ('pending_language', fields.CharField(null=True, max_length=2)),
            ],
            options={'table': 'posts', 'app': 'forum', 'indexes': [Index(fields=['topic_id', 'root_id']), Index(fields=['topic_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Flag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharEnumField(description='SPAM: spam\nABUSE: abuse\nOFF_TOPIC: off-topic\nOTHER: other', enum_type=FlagReason, max_length=16)),
                ('text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_by', fields.ForeignKeyField('forum.User', source_field='resolved_by_id', null=True, db_constraint=True, to_field='id', related_name='resolved_flags', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'flags', 'app': 'forum', 'unique_together': (('post', 'user'),), 'pk_attr': 'id', 'table_description': 'A report by a reader on a post, one per reader and post.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationAction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('moderator', fields.ForeignKeyField('forum.User', source_field='moderator_id', null=True, db_constraint=True, to_field='id', related_name='actions_taken', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharField(db_index=True, max_length=32)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', null=True, db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('topic', fields.ForeignKeyField('forum.Topic', source_field='topic_id', null=True, db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('target_user', fields.ForeignKeyField('forum.User', source_field='target_user_id', null=True, db_constraint=True, to_field='id', related_name='actions_received', on_delete=OnDelete.RESTRICT)),
                ('reason_code', fields.CharField(default='', max_length=32)),
                ('reason', fields.TextField(default='', unique=False)),
                ('public', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_actions', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'The append-only audit log: who did what to which post, topic or member, and why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Revision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('editor', fields.ForeignKeyField('forum.User', source_field='editor_id', null=True, db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.SET_NULL)),
                ('language', fields.CharField(max_length=2)),
                ('source', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'revisions', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'An earlier version of an edited post.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TopicText',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('topic', fields.ForeignKeyField('forum.Topic', source_field='topic_id', db_constraint=True, to_field='id', related_name='texts', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=2)),
                ('title', fields.CharField(max_length=300)),
                ('source', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
            ],
            options={'table': 'topic_texts', 'app': 'forum', 'unique_together': (('topic', 'language'),), 'pk_attr': 'id', 'table_description': 'The title and body of a topic in one language.'},
            bases=['Model'],
        ),
    ]
