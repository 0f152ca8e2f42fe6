import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the caller-ID pool models of the old ``pools`` app.

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
                    name='NumberPool',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('pool_type', models.CharField(choices=[('sequential', 'Carousel — sequential'), ('random', 'Carousel — random')], default='sequential', max_length=16, verbose_name='pool type')),
                        ('is_global', models.BooleanField(default=False, help_text="Offered to every customer; its members are the platform's Reserved DIDs.", verbose_name='global')),
                        ('cursor', models.BigIntegerField(default=0, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='number_pools', to='customers.customer')),
                    ],
                    options={
                        'verbose_name': 'number pool',
                        'db_table': 'pools_numberpool',
                        'ordering': ['name', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='NumberPoolIncorrectNumber',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('row_number', models.PositiveIntegerField(help_text='Row of the uploaded file (1 = first row).')),
                        ('raw', models.CharField(blank=True, max_length=200, verbose_name='as written')),
                        ('default_region', models.CharField(help_text='Country of numbers written without the international prefix.', max_length=2, verbose_name='default country')),
                        ('reason', models.CharField(choices=[('not_a_number', 'Not a number'), ('invalid_for_country', 'Not valid for its country'), ('not_a_did', 'Not a DID'), ('not_customers', 'Not a DID of this customer'), ('not_platforms', 'Not a platform DID'), ('duplicate', 'Duplicate')], max_length=24)),
                        ('message', models.CharField(max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('pool', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='incorrect_numbers', to='callerid_pools.numberpool')),
                    ],
                    options={
                        'verbose_name': 'incorrect number',
                        'db_table': 'pools_numberpoolincorrectnumber',
                        'ordering': ['pool', 'row_number', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='NumberPoolMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField()),
                        ('added_at', models.DateTimeField(auto_now_add=True)),
                        ('did', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pool_memberships', to='dids.did', verbose_name='DID')),
                        ('pool', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='callerid_pools.numberpool')),
                    ],
                    options={
                        'verbose_name': 'number pool member',
                        'db_table': 'pools_numberpoolmember',
                        'ordering': ['pool', 'position'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='numberpool',
                    constraint=models.CheckConstraint(condition=models.Q(('pool_type__in', ['sequential', 'random'])), name='number_pool_type_valid'),
                ),
                migrations.AddConstraint(
                    model_name='numberpool',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('customer__isnull', True), ('is_global', True)), models.Q(('customer__isnull', False), ('is_global', False)), _connector='OR'), name='number_pool_global_xor_customer', violation_error_message='A pool belongs to one customer, or is global with no customer.'),
                ),
                migrations.AddConstraint(
                    model_name='numberpool',
                    constraint=models.CheckConstraint(condition=models.Q(('cursor__gte', 0)), name='number_pool_cursor_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='numberpool',
                    constraint=models.UniqueConstraint(condition=models.Q(('customer__isnull', False)), fields=('customer', 'name'), name='number_pool_name_unique_per_customer', violation_error_message='This customer already has a pool with this name.'),
                ),
                migrations.AddConstraint(
                    model_name='numberpool',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_global', True)), fields=('name',), name='number_pool_global_name_unique', violation_error_message='A global pool with this name already exists.'),
                ),
                migrations.AddConstraint(
                    model_name='numberpoolincorrectnumber',
                    constraint=models.CheckConstraint(condition=models.Q(('reason__in', ['not_a_number', 'invalid_for_country', 'not_a_did', 'not_customers', 'not_platforms', 'duplicate'])), name='number_pool_incorrect_reason_valid'),
                ),
                migrations.AddConstraint(
                    model_name='numberpoolmember',
                    constraint=models.UniqueConstraint(fields=('pool', 'did'), name='number_pool_member_did_once', violation_error_message='This DID is already in the pool.'),
                ),
                migrations.AddConstraint(
                    model_name='numberpoolmember',
                    constraint=models.UniqueConstraint(fields=('pool', 'position'), name='number_pool_member_position_unique'),
                ),
                migrations.AddConstraint(
                    model_name='numberpoolmember',
                    constraint=models.CheckConstraint(condition=models.Q(('position__gte', 1)), name='number_pool_member_position_positive'),
                ),
            ],
        ),
    ]
