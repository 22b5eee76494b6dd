"""At most one queued or running batch rematch per jobcentre, enforced by the database: a unique index over
`batch_jobs.jobcenter` restricted to active jobs. The API may run as several worker processes, so an
in-process lock alone cannot keep two rematches of one jobcentre apart. (Jobs with no jobcentre, i.e. all
jobcentres, are not covered: NULLs never collide in a unique index.)

Active duplicates left by an earlier version (only possible through that race) would block the index; all but
the newest of each jobcentre are marked failed first, as interrupted jobs are at server start.
"""

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'

ACTIVE = "state IN ('queued', 'running')"


def upgrade() -> None:
    op.execute(sa.text(
        "UPDATE batch_jobs SET state = 'failed', finished_at = CURRENT_TIMESTAMP, "
        "error = 'Kørslen blev afbrudt (serveren stoppede); de tidligere forslag gælder stadig.' "
        f"WHERE {ACTIVE} AND jobcenter IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM batch_jobs AS newer WHERE newer.jobcenter = batch_jobs.jobcenter "
        "AND newer.state IN ('queued', 'running') AND (newer.created_at > batch_jobs.created_at "
        "OR (newer.created_at = batch_jobs.created_at AND newer.id > batch_jobs.id)))"))
    op.create_index('uq_batch_jobs_active_jobcenter', 'batch_jobs', ['jobcenter'], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade() -> None:
    op.drop_index('uq_batch_jobs_active_jobcenter', table_name='batch_jobs')
