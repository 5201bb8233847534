from tortoise import migrations
from tortoise.migrations import operations as ops
from forum.models import FlagReason, TranslationStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('forum', '0009_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Translation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='translations', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=2)),
                ('translator', fields.ForeignKeyField('forum.User', source_field='translator_id', db_constraint=True, to_field='id', related_name='translations', on_delete=OnDelete.RESTRICT)),
                ('source', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(db_index=True, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nHIDDEN: hidden\nREPLACED: replaced', enum_type=TranslationStatus, max_length=16)),
                ('reject_reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('changed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.ForeignKeyField('forum.User', source_field='approved_by_id', null=True, db_constraint=True, to_field='id', related_name='approved_translations', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'translations', 'app': 'forum', 'indexes': [Index(fields=['post_id', 'language', 'status'])], 'pk_attr': 'id', 'table_description': 'A translation of a post by a member into another language, at most one approved per post and language.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TranslationRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='translation_requests', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='translation_requests', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(db_index=True, max_length=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'translation_requests', 'app': 'forum', 'unique_together': (('post', 'user', 'language'),), 'pk_attr': 'id', 'table_description': 'A reader asking to read a post in a language, one per reader, post and language.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TranslationFlag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('translation', fields.ForeignKeyField('forum.Translation', source_field='translation_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('forum.User', source_field='user_id', db_constraint=True, to_field='id', related_name='translation_flags', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharEnumField(description='SPAM: spam\nABUSE: abuse\nOFF_TOPIC: off-topic\nOTHER: other', enum_type=FlagReason, max_length=16)),
                ('text', fields.TextField(default='', unique=False)),
                ('weight', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'translation_flags', 'app': 'forum', 'unique_together': (('translation', 'user'),), 'pk_attr': 'id', 'table_description': 'A report by a reader on a translation, one per reader and translation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TopicTranslation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('topic', fields.ForeignKeyField('forum.Topic', source_field='topic_id', db_constraint=True, to_field='id', related_name='translations', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=2)),
                ('translator', fields.ForeignKeyField('forum.User', source_field='translator_id', db_constraint=True, to_field='id', related_name='topic_translations', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=300)),
                ('source', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(db_index=True, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nHIDDEN: hidden\nREPLACED: replaced', enum_type=TranslationStatus, max_length=16)),
                ('reject_reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.ForeignKeyField('forum.User', source_field='approved_by_id', null=True, db_constraint=True, to_field='id', related_name='approved_topic_translations', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'topic_translations', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'A title and text offered by a member for a topic in a language it lacks, until a moderator decides.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='prefer_translations',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
