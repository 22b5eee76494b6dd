"""The placement lifecycle (docs/lifecycle.md): outcomes per person, employments with the task hours they
fill and their paid hours, follow-ups, dated base status changes, `ly_since` and `seeks_more_hours` on
citizens, a lifecycle stamp per jobcentre, and the consultant's calendar secret.

Existing data is carried over: every proposal gets one person row per person of its `people` JSON with the
proposal's status (outcomes used to apply to all of a proposal's people), each recorded outcome becomes one
event per person, dated by when it was recorded, and every citizen's current status becomes its first dated
status change, effective from when the citizen was created.
"""

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'


def upgrade() -> None:
    op.create_table('citizen_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('available', 'sick_leave', 'in_praktik', 'employed', 'assessment', 'inactive')", name=op.f('ck_citizen_status_changes_status')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_citizen_status_changes_citizen_id_citizens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_status_changes'))
    )
    with op.batch_alter_table('citizen_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_citizen_status_changes_citizen_id_effective', ['citizen_id', 'effective'], unique=False)

    op.create_table('proposal_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_id', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.CheckConstraint("status IN ('open', 'contacted', 'praktik', 'hired', 'rejected', 'withdrawn')", name=op.f('ck_proposal_people_status')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_people_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_people')),
    sa.UniqueConstraint('proposal_id', 'candidate_id', name=op.f('uq_proposal_people_proposal_id_candidate_id'))
    )
    with op.batch_alter_table('proposal_people', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_people_candidate_id_status', ['candidate_id', 'status'], unique=False)

    op.create_table('employments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('jobcenter_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.String(length=64), nullable=False),
    sa.Column('position_id', sa.String(length=64), nullable=False),
    sa.Column('employer_id', sa.String(length=64), nullable=False),
    sa.Column('proposal_id', sa.String(length=32), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('hours_per_week', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('contract', sa.String(length=12), nullable=False),
    sa.Column('ended_reason', sa.Text(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('annulled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("contract IN ('permanent', 'fixed_term')", name=op.f('ck_employments_contract')),
    sa.CheckConstraint('hours_per_week BETWEEN 1 AND 37', name=op.f('ck_employments_hours_per_week')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_employments_citizen_id_citizens'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['proposal_events.id'], name=op.f('fk_employments_event_id_proposal_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['jobcenter_id'], ['jobcenters.id'], name=op.f('fk_employments_jobcenter_id_jobcenters'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_employments_position_id_positions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_employments_proposal_id_proposals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employments'))
    )
    with op.batch_alter_table('employments', schema=None) as batch_op:
        batch_op.create_index('ix_employments_citizen_id', ['citizen_id'], unique=False)
        batch_op.create_index('ix_employments_jobcenter_id', ['jobcenter_id'], unique=False)
        batch_op.create_index('ix_employments_position_id', ['position_id'], unique=False)

    op.create_table('employment_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employment_id', sa.String(length=32), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.CheckConstraint('hours BETWEEN 1 AND 37', name=op.f('ck_employment_tasks_hours')),
    sa.ForeignKeyConstraint(['employment_id'], ['employments.id'], name=op.f('fk_employment_tasks_employment_id_employments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_tasks')),
    sa.UniqueConstraint('employment_id', 'task_id', name=op.f('uq_employment_tasks_employment_id_task_id'))
    )
    op.create_table('followups',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('jobcenter_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('citizen_id', sa.String(length=64), nullable=False),
    sa.Column('position_id', sa.String(length=64), nullable=True),
    sa.Column('proposal_id', sa.String(length=32), nullable=True),
    sa.Column('employment_id', sa.String(length=32), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('first_week_call', 'fixed_term_expiry', 'praktik_end', 'contact_no_answer')", name=op.f('ck_followups_kind')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_followups_citizen_id_citizens'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employment_id'], ['employments.id'], name=op.f('fk_followups_employment_id_employments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['proposal_events.id'], name=op.f('fk_followups_event_id_proposal_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['jobcenter_id'], ['jobcenters.id'], name=op.f('fk_followups_jobcenter_id_jobcenters'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followups'))
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index('ix_followups_jobcenter_id_done_at_due_date', ['jobcenter_id', 'done_at', 'due_date'], unique=False)

    op.create_table('paid_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employment_id', sa.String(length=32), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('paid_hours', sa.Double(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('paid_hours >= 0 AND paid_hours <= 400', name=op.f('ck_paid_hours_paid_hours')),
    sa.ForeignKeyConstraint(['employment_id'], ['employments.id'], name=op.f('fk_paid_hours_employment_id_employments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paid_hours')),
    sa.UniqueConstraint('employment_id', 'month', name=op.f('uq_paid_hours_employment_id_month'))
    )
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ly_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('seeks_more_hours', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('jobcenters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lifecycle_changed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidate_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('position_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('previous_status', sa.String(length=12), nullable=False,
                                      server_default='open'))
        batch_op.add_column(sa.Column('effective_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('hours_per_week', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contract', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('rejected_by', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('annulled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('annulled_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('annul_reason', sa.Text(), nullable=True))
        batch_op.create_index('ix_proposal_events_candidate_id', ['candidate_id'], unique=False)
        batch_op.create_index('ix_proposal_events_position_id', ['position_id'], unique=False)
        batch_op.create_check_constraint(op.f('ck_proposal_events_rejected_by'),
                                         "rejected_by IN ('employer', 'citizen', 'jobcenter')")
        batch_op.create_check_constraint(op.f('ck_proposal_events_contract'), "contract IN ('permanent', 'fixed_term')")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token_hash'), ['calendar_token_hash'])

    _carry_over_proposal_people()
    _carry_over_status()


def _carry_over_proposal_people() -> None:
    connection = op.get_bind()
    proposals = sa.table('proposals', sa.column('id'), sa.column('position_id'), sa.column('people', sa.JSON()),
                         sa.column('status'))
    people = sa.table('proposal_people', sa.column('proposal_id'), sa.column('candidate_id'),
                      sa.column('sort_order'), sa.column('assignments', sa.JSON()), sa.column('status'))
    events = sa.table('proposal_events', sa.column('id'), sa.column('proposal_id'), sa.column('outcome'),
                      sa.column('reason'), sa.column('actor'), sa.column('at', sa.DateTime(timezone=True)),
                      sa.column('candidate_id'), sa.column('position_id'), sa.column('previous_status'),
                      sa.column('effective_date', sa.Date()))
    position_of = {}
    for row in connection.execute(sa.select(proposals)).mappings():
        position_of[row['id']] = (row['position_id'], [p['candidate_id'] for p in row['people']])
        connection.execute(people.insert(), [
            {'proposal_id': row['id'], 'candidate_id': p['candidate_id'], 'sort_order': order,
             'assignments': p['assignments'], 'status': row['status']}
            for order, p in enumerate(row['people'])] or [])
    previous: dict[str, str] = {}
    rows = connection.execute(sa.select(events).order_by(events.c.proposal_id, events.c.at, events.c.id)).mappings()
    for event in list(rows):
        position_id, candidates = position_of[event['proposal_id']]
        before = previous.get(event['proposal_id'], 'open')
        previous[event['proposal_id']] = event['outcome']
        day = event['at'].date() if event['at'] is not None else None
        first, *others = candidates or [None]
        connection.execute(events.update().where(events.c.id == event['id']).values(
            candidate_id=first, position_id=position_id, previous_status=before, effective_date=day))
        for candidate_id in others:
            connection.execute(events.insert().values(
                proposal_id=event['proposal_id'], outcome=event['outcome'], reason=event['reason'],
                actor=event['actor'], at=event['at'], candidate_id=candidate_id, position_id=position_id,
                previous_status=before, effective_date=day))


def _carry_over_status() -> None:
    citizens = sa.table('citizens', sa.column('id'), sa.column('status'),
                        sa.column('created_at', sa.DateTime(timezone=True)))
    changes = sa.table('citizen_status_changes', sa.column('citizen_id'), sa.column('status'),
                       sa.column('effective', sa.Date()), sa.column('recorded_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    rows = [{'citizen_id': c['id'], 'status': c['status'], 'effective': c['created_at'].date(),
             'recorded_at': c['created_at']}
            for c in connection.execute(sa.select(citizens)).mappings()]
    if rows:
        connection.execute(changes.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token_hash'), type_='unique')
        batch_op.drop_column('calendar_token_hash')

    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposal_events_contract'), type_='check')
        batch_op.drop_constraint(op.f('ck_proposal_events_rejected_by'), type_='check')
        batch_op.drop_index('ix_proposal_events_position_id')
        batch_op.drop_index('ix_proposal_events_candidate_id')
        batch_op.drop_column('annul_reason')
        batch_op.drop_column('annulled_by')
        batch_op.drop_column('annulled_at')
        batch_op.drop_column('rejected_by')
        batch_op.drop_column('contract')
        batch_op.drop_column('hours_per_week')
        batch_op.drop_column('end_date')
        batch_op.drop_column('effective_date')
        batch_op.drop_column('previous_status')
        batch_op.drop_column('position_id')
        batch_op.drop_column('candidate_id')

    with op.batch_alter_table('jobcenters', schema=None) as batch_op:
        batch_op.drop_column('lifecycle_changed_at')

    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_column('seeks_more_hours')
        batch_op.drop_column('ly_since')

    op.drop_table('paid_hours')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index('ix_followups_jobcenter_id_done_at_due_date')
        batch_op.drop_index(batch_op.f('ix_followups_citizen_id'))

    op.drop_table('followups')
    op.drop_table('employment_tasks')
    with op.batch_alter_table('employments', schema=None) as batch_op:
        batch_op.drop_index('ix_employments_position_id')
        batch_op.drop_index('ix_employments_jobcenter_id')
        batch_op.drop_index('ix_employments_citizen_id')

    op.drop_table('employments')
    with op.batch_alter_table('proposal_people', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_people_candidate_id_status')

    op.drop_table('proposal_people')
    with op.batch_alter_table('citizen_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_citizen_status_changes_citizen_id_effective')

    op.drop_table('citizen_status_changes')
