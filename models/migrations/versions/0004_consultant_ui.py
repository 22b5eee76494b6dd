"""The consultant UI's data: employers' CVR, address and contact person; the workplace address of a
position; users' full name, phone and e-mail (the udpluk names whom the employer should call); and the
search terms of citizens' competences and wishes (folded, stemmed words), filled here for stored citizens.

The backfill carries a frozen copy of models.search_terms.terms_text (a migration must not follow later
changes of the code); tests/test_consultant_search.py holds the copy and the code to the same output.
"""

import json
import re
import unicodedata

import snowballstemmer
import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'

_HYPHEN_IN_WORD = re.compile(r"(?<=[^\W\d_])[-‐‑–](?=[^\W\d_])")
_NON_WORD = re.compile(r"[\W_]+")
_BATCH = 1000


def terms_text(values, stemmer) -> str:
    found: dict[str, None] = {}
    for value in values or ():
        text = _HYPHEN_IN_WORD.sub("", unicodedata.normalize("NFC", str(value)).casefold())
        for word in _NON_WORD.split(text):
            if word:
                found.setdefault(stemmer.stemWord(word), None)
    return "".join(f" {stem}" for stem in found)


def _as_list(value) -> list:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def _backfill_search_terms() -> None:
    bind = op.get_bind()
    stemmer = snowballstemmer.stemmer("danish")
    citizens = sa.table('citizens', sa.column('id', sa.String), sa.column('competences', sa.JSON),
                        sa.column('wishes', sa.JSON), sa.column('competence_terms', sa.Text),
                        sa.column('wish_terms', sa.Text))
    rows = bind.execute(sa.text("SELECT id, competences, wishes FROM citizens ORDER BY id")).all()
    update = (citizens.update().where(citizens.c.id == sa.bindparam('b_id'))
              .values(competence_terms=sa.bindparam('b_competence_terms'), wish_terms=sa.bindparam('b_wish_terms')))
    for start in range(0, len(rows), _BATCH):
        batch = [{"b_id": citizen_id, "b_competence_terms": terms_text(_as_list(competences), stemmer),
                  "b_wish_terms": terms_text(_as_list(wishes), stemmer)}
                 for citizen_id, competences, wishes in rows[start:start + _BATCH]]
        bind.execute(update, batch)


def upgrade() -> None:
    with op.batch_alter_table('employers') as batch:
        batch.add_column(sa.Column('cvr', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('contact_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('contact_email', sa.String(length=200), nullable=True))
    with op.batch_alter_table('positions') as batch:
        batch.add_column(sa.Column('address', sa.String(length=200), nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('full_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('email', sa.String(length=200), nullable=True))
    with op.batch_alter_table('citizens') as batch:
        batch.add_column(sa.Column('competence_terms', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('wish_terms', sa.Text(), nullable=False, server_default=''))
    _backfill_search_terms()


def downgrade() -> None:
    with op.batch_alter_table('citizens') as batch:
        batch.drop_column('wish_terms')
        batch.drop_column('competence_terms')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('email')
        batch.drop_column('phone')
        batch.drop_column('full_name')
    with op.batch_alter_table('positions') as batch:
        batch.drop_column('address')
    with op.batch_alter_table('employers') as batch:
        batch.drop_column('contact_email')
        batch.drop_column('contact_phone')
        batch.drop_column('contact_name')
        batch.drop_column('address')
        batch.drop_column('cvr')
