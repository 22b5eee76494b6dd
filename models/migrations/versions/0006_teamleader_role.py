"""The team leader role (issue 14): `teamleader`, scoped to one jobcentre, sees its KPIs and fairness page.

The role CHECKs of users and api_tokens follow models.vocabulary.Role. On SQLite the tables are recreated in
batch mode (SQLite cannot alter a constraint); on PostgreSQL the constraint is dropped and added.
"""

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'

BEFORE = "role IN ('consultant', 'case_system', 'admin')"
AFTER = "role IN ('consultant', 'case_system', 'admin', 'teamleader')"
TABLES = ('users', 'api_tokens')


def _replace_role_check(condition: str) -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'ck_{table}_role'), type_='check')
            batch.create_check_constraint(op.f(f'ck_{table}_role'), condition)


def upgrade() -> None:
    _replace_role_check(AFTER)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE role = 'teamleader'")
    _replace_role_check(BEFORE)
