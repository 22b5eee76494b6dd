"""The code sets of models.vocabulary are the only definition: the migrated database enforces exactly them,
the contract schemas accept exactly them, and every code has a Danish label."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from sqlalchemy import inspect

from models import orm, schemas, vocabulary
from models.db import make_engine
from models.vocabulary import CodeSet

CODE_SETS = [value for value in vars(vocabulary).values()
             if isinstance(value, type) and issubclass(value, CodeSet) and value is not CodeSet]


def _quoted(sqltext: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", sqltext))


def test_the_migrated_check_constraints_equal_the_code_sets(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        inspector = inspect(engine)
        found = {}
        for (table, column), code_set in orm.CODED_COLUMNS.items():
            checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
            name = f"ck_{table}_{column}"
            assert name in checks, f"{table}.{column}: no CHECK constraint {name} in the migrated database"
            found[(table, column)] = _quoted(checks[name])
    finally:
        engine.dispose()
    expected = {key: set(code_set.codes()) for key, code_set in orm.CODED_COLUMNS.items()}
    expected[("proposal_events", "outcome")] = set(vocabulary.OUTCOMES)
    assert found == expected


def test_every_coded_orm_column_is_registered() -> None:
    """A CHECK written by hand instead of with orm.one_of would escape the comparison above."""
    for table in orm.Base.metadata.sorted_tables:
        for constraint in table.constraints:
            text = str(getattr(constraint, "sqltext", ""))
            if " IN (" in text:
                column = text.split(" IN (")[0].strip()
                assert (table.name, column) in orm.CODED_COLUMNS, f"{table.name}.{column}"


@pytest.mark.parametrize("code_set", CODE_SETS, ids=lambda c: c.__name__)
def test_every_code_has_its_own_danish_label(code_set: type[CodeSet]) -> None:
    labels = list(code_set.labels().values())
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)
    for member in code_set:
        assert member == member.value == member.name  # stored, compared and serialised as its code
        assert code_set.label_of(member.value) == member.label
    assert code_set.label_of("no-such-code") == "no-such-code"


@pytest.mark.parametrize(("literal", "code_set"), [
    (schemas.CitizenStatus, vocabulary.CitizenStatus), (schemas.CapacityBasis, vocabulary.CapacityBasis),
    (schemas.Severity, vocabulary.Severity), (schemas.EmployerSize, vocabulary.EmployerSize),
    (schemas.Sector, vocabulary.Sector), (schemas.ProposalKind, vocabulary.ProposalKind),
    (schemas.Day, vocabulary.Day), (schemas.Gender, vocabulary.Gender),
])
def test_the_contract_literals_are_the_code_sets(literal, code_set: type[CodeSet]) -> None:
    assert get_args(literal) == code_set.codes()


def test_outcomes_are_every_state_but_open() -> None:
    assert vocabulary.OUTCOMES == ("contacted", "praktik", "hired", "rejected", "withdrawn")
