"""Hardening (issue 13): job leases, the jobcentre of a match run, token expiry, server-side web sessions
and login throttling.

- batch_jobs: `runner`, `heartbeat_at`, `lease_expires_at`: the process that runs a job renews its lease,
  so a job whose runner died is failed and no longer blocks the jobcentre.
- match_runs: `jobcenter_id`, the jobcentre a run was made for (backfilled from its position's jobcentre:
  the best knowledge there is for runs made before this migration).
- api_tokens: `expires_at` (NULL: no expiry, as every existing token).
- web_sessions: logged-in web UI sessions (logout, deactivation and idle time end them server side).
- login_failures: failed logins by hashed username and client, for throttling.
"""

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('batch_jobs') as batch:
        batch.add_column(sa.Column('runner', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('match_runs') as batch:
        batch.add_column(sa.Column('jobcenter_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_match_runs_jobcenter_id_jobcenters'), 'jobcenters', ['jobcenter_id'],
                                 ['id'], ondelete='CASCADE')
        batch.create_index(op.f('ix_match_runs_jobcenter_id'), ['jobcenter_id'], unique=False)
    op.execute(sa.text("UPDATE match_runs SET jobcenter_id = "
                       "(SELECT positions.jobcenter_id FROM positions WHERE positions.id = match_runs.position_id)"))
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash'))
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.create_table('login_failures',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_scope_key_hash_at', 'login_failures', ['scope', 'key_hash', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_failures_scope_key_hash_at', table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('expires_at')
    with op.batch_alter_table('match_runs') as batch:
        batch.drop_index(op.f('ix_match_runs_jobcenter_id'))
        batch.drop_constraint(op.f('fk_match_runs_jobcenter_id_jobcenters'), type_='foreignkey')
        batch.drop_column('jobcenter_id')
    with op.batch_alter_table('batch_jobs') as batch:
        batch.drop_column('lease_expires_at')
        batch.drop_column('heartbeat_at')
        batch.drop_column('runner')
