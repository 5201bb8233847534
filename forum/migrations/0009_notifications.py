from tortoise import migrations
from tortoise.migrations import operations as ops
from forum.models import NoticeKind, WatchLevel
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('forum', '0008_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Draft',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='drafts', on_delete=OnDelete.CASCADE)),
                ('topic', fields.ForeignKeyField('forum.Topic', source_field='topic_id', db_constraint=True, to_field='id', related_name='drafts', on_delete=OnDelete.CASCADE)),
                ('parent_key', fields.IntField(default=0)),
                ('body', fields.TextField(unique=False)),
                ('language', fields.CharField(default='', max_length=2)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'drafts', 'app': 'forum', 'unique_together': (('user', 'topic', 'parent_key'),), 'pk_attr': 'id', 'table_description': 'A reply being written, kept for its author per topic and parent post (0: the topic itself).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notice_settings', on_delete=OnDelete.CASCADE)),
                ('watch_replied', fields.BooleanField(default=True)),
                ('feed_generation', fields.IntField(default=0)),
            ],
            options={'table': 'notice_settings', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'The choices of a member about notices, and the generation of their personal feed address.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REPLY: reply\nWATCHED: watched\nMENTION: mention\nQUOTE: quote\nAPPROVED: approved\nREJECTED: rejected\nFLAG_UPHELD: flag-upheld\nFLAG_DISMISSED: flag-dismissed', enum_type=NoticeKind, max_length=16)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('forum.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='notices_caused', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications', 'app': 'forum', 'indexes': [Index(fields=['user_id', 'read_at']), Index(fields=['post_id', 'user_id'])], 'pk_attr': 'id', 'table_description': 'A notice to a member about a post: an answer, a mention, a quote or a decision.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TopicState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='topic_states', on_delete=OnDelete.CASCADE)),
                ('topic', fields.ForeignKeyField('forum.Topic', source_field='topic_id', db_constraint=True, to_field='id', related_name='member_states', on_delete=OnDelete.CASCADE)),
                ('level', fields.CharEnumField(null=True, description='WATCHING: watching\nMUTED: muted', enum_type=WatchLevel, max_length=16)),
                ('last_read_id', fields.IntField(default=0)),
                ('watched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'topic_states', 'app': 'forum', 'unique_together': (('user', 'topic'),), 'indexes': [Index(fields=['topic_id', 'level'])], 'pk_attr': 'id', 'table_description': 'A member and a topic: how far they have read it, and whether they watch or mute it.'},
            bases=['Model'],
        ),
    ]
