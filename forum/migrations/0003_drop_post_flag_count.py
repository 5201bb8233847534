from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('forum', '0002_sessions_and_topic_edits')]

    initial = False

    operations = [
        ops.RemoveField(model_name='Post', name='flag_count'),
    ]
