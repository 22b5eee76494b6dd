"""Employer override of "start with one" and the single alternative beside a split (issue 16).

- employers.allow_several_new: an employer without fleksjob experience gets at most one new fleksjobber per
  batch run (docs/matching.md, batch rules) unless a consultant ticks "Må få flere nye fleksjobbere på én
  gang"; existing employers keep the rule (false).
- proposals.alternative: when a rematch proposes a split it also stores the best single person for the
  position, marked as the alternative; existing proposals are not alternatives (false).
"""

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'


def upgrade() -> None:
    with op.batch_alter_table('employers') as batch:
        batch.add_column(sa.Column('allow_several_new', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('alternative', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        batch.drop_column('alternative')
    with op.batch_alter_table('employers') as batch:
        batch.drop_column('allow_several_new')
