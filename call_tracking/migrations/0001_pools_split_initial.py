import call_tracking.models
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the call-tracking models of the old ``pools`` app.

    State only: the tables exist (``pools`` 0001-0104 created them, and the models
    keep their ``db_table``), so nothing is written to the database here.
    ``pools`` 0105 then drops the models from its own state.
    """

    initial = True

    dependencies = [
        ('pools', '0104_dni_fewer_index_writes'),
        ('customers', '0001_initial'),
        ('dids', '0006_fewer_write_only_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='TrackingNumber',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('held_until', models.DateTimeField(blank=True, null=True)),
                        ('added_at', models.DateTimeField(auto_now_add=True)),
                        ('removed_at', models.DateTimeField(blank=True, null=True)),
                        ('did', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tracking_numbers', to='dids.did')),
                    ],
                    options={
                        'db_table': 'pools_trackingnumber',
                        'ordering': ['pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DNISession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('visitor_id', models.CharField(max_length=64)),
                        ('source', models.CharField(help_text='Which tracking source matched: a search engine or domain.', max_length=100)),
                        ('referrer', models.TextField(blank=True)),
                        ('landing_url', models.TextField(blank=True)),
                        ('url_params', models.JSONField(blank=True, default=dict)),
                        ('ip', models.GenericIPAddressField(blank=True, null=True)),
                        ('started_at', models.DateTimeField()),
                        ('last_seen_at', models.DateTimeField()),
                        ('expires_at', models.DateTimeField()),
                        ('page_views', models.PositiveIntegerField(default=1)),
                        ('ambiguous', models.BooleanField(default=False, help_text='Its number was shared with another session.')),
                        ('number', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='call_tracking.trackingnumber')),
                    ],
                    options={
                        'verbose_name': 'DNI session',
                        'db_table': 'pools_dnisession',
                        'ordering': ['-started_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='TrackingPool',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('status', models.CharField(choices=[('active', 'Active'), ('deleted', 'Deleted')], default='active', max_length=16)),
                        ('match_period', models.PositiveIntegerField(help_text='Minutes a session holds its number awaiting a call.')),
                        ('quantity', models.PositiveIntegerField(default=0, help_text='How many numbers the pool holds now.')),
                        ('phone_number_request', models.JSONField(blank=True, default=dict, help_text='As the pool was provisioned.')),
                        ('numbers_to_replace', models.JSONField(blank=True, default=list)),
                        ('replace_all_numbers', models.BooleanField(default=False)),
                        ('tracking_sources', models.JSONField(blank=True, default=list)),
                        ('route_type', models.CharField(default='Basic', max_length=16)),
                        ('termination_number', models.CharField(help_text='E.164; calls are forwarded here.', max_length=16)),
                        ('exhaustion_policy', models.CharField(choices=[('reuse_oldest', "Reuse the least recently active session's number (both marked ambiguous)"), ('replace_nothing', 'Replace nothing')], default='reuse_oldest', max_length=16)),
                        ('public_key', models.CharField(default=call_tracking.models.new_public_key, editable=False, max_length=32, unique=True)),
                        ('site_domains', models.JSONField(blank=True, default=list, help_text="Web sites (domains) allowed to show this pool's numbers.")),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('deleted_at', models.DateTimeField(blank=True, null=True)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tracking_pools', to='customers.customer')),
                    ],
                    options={
                        'db_table': 'pools_trackingpool',
                        'ordering': ['name', 'pk'],
                    },
                ),
                migrations.AddField(
                    model_name='trackingnumber',
                    name='pool',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='numbers', to='call_tracking.trackingpool'),
                ),
                migrations.CreateModel(
                    name='TrackedCall',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('called_number', models.CharField(max_length=16)),
                        ('caller', models.CharField(blank=True, max_length=32)),
                        ('called_at', models.DateTimeField()),
                        ('ambiguous', models.BooleanField(default=False)),
                        ('source', models.CharField(blank=True, max_length=100)),
                        ('referrer', models.TextField(blank=True)),
                        ('landing_url', models.TextField(blank=True)),
                        ('url_params', models.JSONField(blank=True, default=dict)),
                        ('termination_number', models.CharField(max_length=16)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='calls', to='call_tracking.dnisession')),
                        ('sessions', models.ManyToManyField(blank=True, db_table='pools_trackedcall_sessions', related_name='candidate_calls', to='call_tracking.dnisession')),
                        ('number', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls', to='call_tracking.trackingnumber')),
                        ('pool', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls', to='call_tracking.trackingpool')),
                    ],
                    options={
                        'db_table': 'pools_trackedcall',
                        'ordering': ['-called_at', '-pk'],
                    },
                ),
                migrations.AddField(
                    model_name='dnisession',
                    name='pool',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='call_tracking.trackingpool'),
                ),
                migrations.AddConstraint(
                    model_name='trackingpool',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('customer', 'name'), name='tracking_pool_name_unique_per_customer'),
                ),
                migrations.AddConstraint(
                    model_name='trackingpool',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['active', 'deleted'])), name='tracking_pool_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='trackingpool',
                    constraint=models.CheckConstraint(condition=models.Q(('exhaustion_policy__in', ['reuse_oldest', 'replace_nothing'])), name='tracking_pool_policy_valid'),
                ),
                migrations.AddConstraint(
                    model_name='trackingpool',
                    constraint=models.CheckConstraint(condition=models.Q(('match_period__gte', 1)), name='tracking_pool_match_period_positive'),
                ),
                migrations.AddConstraint(
                    model_name='trackingpool',
                    constraint=models.CheckConstraint(condition=models.Q(('route_type', 'Basic')), name='tracking_pool_route_basic'),
                ),
                migrations.AddConstraint(
                    model_name='trackingpool',
                    constraint=models.CheckConstraint(condition=models.Q(('termination_number__regex', '^\\+[1-9][0-9]{2,14}$')), name='tracking_pool_termination_e164'),
                ),
                migrations.AddConstraint(
                    model_name='trackingpool',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('deleted_at__isnull', False), ('status', 'deleted')), models.Q(('deleted_at__isnull', True), ('status', 'active')), _connector='OR'), name='tracking_pool_deleted_at_iff_deleted'),
                ),
                migrations.AddIndex(
                    model_name='trackingnumber',
                    index=models.Index(condition=models.Q(('removed_at__isnull', True)), fields=['pool'], name='tracking_number_current'),
                ),
                migrations.AddConstraint(
                    model_name='trackingnumber',
                    constraint=models.UniqueConstraint(condition=models.Q(('removed_at__isnull', True)), fields=('did',), name='tracking_number_did'),
                ),
                migrations.AddIndex(
                    model_name='trackedcall',
                    index=models.Index(fields=['pool', 'called_at'], name='tracked_call_pool_time'),
                ),
                migrations.AddIndex(
                    model_name='dnisession',
                    index=models.Index(fields=['pool', 'visitor_id', 'expires_at'], name='dni_session_visitor'),
                ),
                migrations.AddIndex(
                    model_name='dnisession',
                    index=models.Index(fields=['number', 'expires_at'], name='dni_session_number'),
                ),
                migrations.AddIndex(
                    model_name='dnisession',
                    index=models.Index(fields=['pool', 'started_at'], name='dni_session_pool_started'),
                ),
                migrations.AddConstraint(
                    model_name='dnisession',
                    constraint=models.CheckConstraint(condition=models.Q(('expires_at__gte', models.F('started_at'))), name='dni_session_expiry'),
                ),
            ],
        ),
    ]
