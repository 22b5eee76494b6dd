"""Initial schema: jobcenters, citizens and their restrictions, employers, positions and tasks, match runs,
proposals and their outcome events, users, API tokens, the audit log and batch jobs.
"""

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('jobcenters', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.CheckConstraint("role IN ('consultant', 'case_system', 'admin')", name=op.f('ck_api_tokens_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('citizen_id', sa.String(length=64), nullable=True),
    sa.Column('jobcenter', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('endpoint', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.CheckConstraint("action IN ('read', 'create', 'update', 'delete', 'list', 'match')", name=op.f('ck_audit_entries_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    op.create_index(op.f('ix_audit_entries_at'), 'audit_entries', ['at'], unique=False)
    op.create_index(op.f('ix_audit_entries_citizen_id'), 'audit_entries', ['citizen_id'], unique=False)

    op.create_table('batch_jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('jobcenter', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('summary', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name=op.f('ck_batch_jobs_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_jobs'))
    )
    op.create_table('jobcenters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('municipality', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobcenters')),
    sa.UniqueConstraint('name', name=op.f('uq_jobcenters_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('jobcenters', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('consultant', 'case_system', 'admin')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('citizens',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('jobcenter_id', sa.Integer(), nullable=False),
    sa.Column('capacity_hours', sa.Integer(), nullable=False),
    sa.Column('capacity_basis', sa.String(length=16), nullable=False),
    sa.Column('competences', sa.JSON(), nullable=False),
    sa.Column('cv_text', sa.Text(), nullable=False),
    sa.Column('wishes', sa.JSON(), nullable=False),
    sa.Column('driving_licence', sa.Boolean(), nullable=False),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('max_commute_km', sa.Double(), nullable=True),
    sa.Column('available_days', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('ly_months_last_24', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=100), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('unresolved_restriction_notes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("capacity_basis IN ('estimated', 'measured')", name=op.f('ck_citizens_capacity_basis')),
    sa.CheckConstraint("gender IN ('f', 'm', 'x')", name=op.f('ck_citizens_gender')),
    sa.CheckConstraint("status IN ('available', 'sick_leave', 'in_praktik', 'employed', 'assessment', 'inactive')", name=op.f('ck_citizens_status')),
    sa.CheckConstraint('capacity_hours BETWEEN 1 AND 37', name=op.f('ck_citizens_capacity_hours')),
    sa.CheckConstraint('ly_months_last_24 BETWEEN 0 AND 24', name=op.f('ck_citizens_ly_months_last_24')),
    sa.ForeignKeyConstraint(['jobcenter_id'], ['jobcenters.id'], name=op.f('fk_citizens_jobcenter_id_jobcenters'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens'))
    )
    op.create_index('ix_citizens_jobcenter_id_active_status', 'citizens', ['jobcenter_id', 'active', 'status'], unique=False)

    op.create_table('employers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('jobcenter_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('size', sa.String(length=10), nullable=False),
    sa.Column('sector', sa.String(length=10), nullable=False),
    sa.Column('has_fleksjob_experience', sa.Boolean(), nullable=False),
    sa.Column('max_fleksjobbere', sa.Integer(), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("sector IN ('private', 'public', 'voluntary')", name=op.f('ck_employers_sector')),
    sa.CheckConstraint("size IN ('micro', 'small', 'medium', 'large')", name=op.f('ck_employers_size')),
    sa.ForeignKeyConstraint(['jobcenter_id'], ['jobcenters.id'], name=op.f('fk_employers_jobcenter_id_jobcenters'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employers'))
    )
    op.create_index(op.f('ix_employers_jobcenter_id'), 'employers', ['jobcenter_id'], unique=False)

    op.create_table('citizen_restrictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.CheckConstraint("severity IN ('hard', 'soft')", name=op.f('ck_citizen_restrictions_severity')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_citizen_restrictions_citizen_id_citizens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_restrictions')),
    sa.UniqueConstraint('citizen_id', 'code', name=op.f('uq_citizen_restrictions_citizen_id_code'))
    )
    op.create_table('positions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('jobcenter_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('max_people', sa.Integer(), nullable=False),
    sa.Column('min_hours_per_person', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'filled', 'closed')", name=op.f('ck_positions_status')),
    sa.CheckConstraint('max_people >= 1', name=op.f('ck_positions_max_people')),
    sa.CheckConstraint('min_hours_per_person BETWEEN 1 AND 37', name=op.f('ck_positions_min_hours_per_person')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_positions_employer_id_employers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['jobcenter_id'], ['jobcenters.id'], name=op.f('fk_positions_jobcenter_id_jobcenters'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_positions'))
    )
    op.create_index(op.f('ix_positions_employer_id'), 'positions', ['employer_id'], unique=False)
    op.create_index('ix_positions_jobcenter_id_status', 'positions', ['jobcenter_id', 'status'], unique=False)

    op.create_table('match_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('position_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('batch_job_id', sa.String(length=32), nullable=True),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.CheckConstraint("source IN ('api', 'rematch', 'ui')", name=op.f('ck_match_runs_source')),
    sa.ForeignKeyConstraint(['batch_job_id'], ['batch_jobs.id'], name=op.f('fk_match_runs_batch_job_id_batch_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_match_runs_position_id_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_runs'))
    )
    op.create_index(op.f('ix_match_runs_batch_job_id'), 'match_runs', ['batch_job_id'], unique=False)
    op.create_index(op.f('ix_match_runs_position_id'), 'match_runs', ['position_id'], unique=False)
    op.create_index('uq_match_runs_current_position', 'match_runs', ['position_id'], unique=True, sqlite_where=sa.text('current = 1'), postgresql_where=sa.text('current'))

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position_id', sa.String(length=64), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=False),
    sa.Column('competences', sa.JSON(), nullable=False),
    sa.Column('demands', sa.JSON(), nullable=False),
    sa.Column('days', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('splittable', sa.Boolean(), nullable=False),
    sa.CheckConstraint('hours_per_week BETWEEN 1 AND 37', name=op.f('ck_tasks_hours_per_week')),
    sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_tasks_position_id_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('position_id', 'task_id', name=op.f('uq_tasks_position_id_task_id'))
    )
    op.create_table('proposals',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('match_run_id', sa.String(length=32), nullable=False),
    sa.Column('position_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('people', sa.JSON(), nullable=False),
    sa.Column('hours_covered', sa.Integer(), nullable=False),
    sa.Column('hours_requested', sa.Integer(), nullable=False),
    sa.Column('objective', sa.Double(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'split')", name=op.f('ck_proposals_kind')),
    sa.CheckConstraint("status IN ('open', 'contacted', 'praktik', 'hired', 'rejected', 'withdrawn')", name=op.f('ck_proposals_status')),
    sa.ForeignKeyConstraint(['match_run_id'], ['match_runs.id'], name=op.f('fk_proposals_match_run_id_match_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_proposals_position_id_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    op.create_index(op.f('ix_proposals_match_run_id'), 'proposals', ['match_run_id'], unique=False)
    op.create_index('ix_proposals_position_id_status', 'proposals', ['position_id', 'status'], unique=False)

    op.create_table('proposal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('contacted', 'praktik', 'hired', 'rejected', 'withdrawn')", name=op.f('ck_proposal_events_outcome')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_events'))
    )
    op.create_index(op.f('ix_proposal_events_proposal_id'), 'proposal_events', ['proposal_id'], unique=False)


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes.
    for table in ("proposal_events", "proposals", "tasks", "match_runs", "positions", "citizen_restrictions",
                  "employers", "citizens", "users", "jobcenters", "batch_jobs", "audit_entries", "api_tokens"):
        op.drop_table(table)
