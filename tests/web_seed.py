"""Seed data shared by the consultant-UI tests (TestClient and browser): two jobcentres, their consultants,
and a small Horsens pool built so a cleaning + canteen stilling gets a split proposal."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import sessionmaker

from models import store
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.schemas import Candidate, Position
from service.core.auth.users import create_user

PASSWORDS = {"anna": "anna-kodeord-1", "bo": "bo-kodeord-22"}
# What pages and the udpluk show of each consultant (bo has given none: pages fall back to the username).
CONTACTS = {"anna": {"full_name": "Anna Andersen", "phone": "+45 76 29 10 00", "email": "anna@horsens.example"},
            "bo": {}}

CITIZENS = [
    # Cleaning only: food contact is central (hard) for B-1, animals too (a restriction no task touches).
    {"id": "B-1", "jobcenter": "Horsens", "capacity_hours": 5, "competences": ["rengøringsassistent"],
     "restrictions": [{"code": "no_food_contact"}, {"code": "no_animals"}], "ly_months_last_24": 19,
     "gender": "f", "birth_year": 1968, "cv_text": "Gjorde rent på en skole i 10 år"},
    # Canteen only: chemicals are central for B-2.
    {"id": "B-2", "jobcenter": "Horsens", "capacity_hours": 4, "competences": ["kantinearbejde", "køkkenhjælp"],
     "restrictions": [{"code": "no_chemicals"}, {"code": "no_heights", "severity": "soft"}],
     "ly_months_last_24": 11, "gender": "m", "birth_year": 1975},
    # Lifting limit below the cleaning task's demand: excluded from cleaning.
    {"id": "B-3", "jobcenter": "Horsens", "capacity_hours": 3, "competences": ["rengøring"],
     "restrictions": [{"code": "max_lifting_kg", "value": 5}]},
    # Excluded from both tasks.
    {"id": "B-4", "jobcenter": "Horsens", "capacity_hours": 6, "competences": ["lager"],
     "restrictions": [{"code": "no_chemicals"}, {"code": "no_food_contact"}]},
    {"id": "V-1", "jobcenter": "Vejle", "capacity_hours": 6, "competences": ["rengøring"]},
]

TASK_FORM = {
    "task-0-title": "Rengøring af kontorer", "task-0-hours": "6", "task-0-competences": "rengøring",
    "task-0-lifting_kg": "8", "task-0-demands": ["chemicals", "standing"], "task-0-splittable": "on",
    "task-1-title": "Kantine", "task-1-hours": "4", "task-1-competences": "kantine",
    "task-1-demands": ["food_contact"], "task-1-splittable": "on",
}


def position_form(**overrides: object) -> dict:
    data = {"title": "Rengøring og kantine", "employer_name": "Bageriet A/S", "employer_size": "small",
            "employer_sector": "private", "max_people": "2", "min_hours": "1", "action": "save", **TASK_FORM}
    data.update(overrides)
    return data


def seed(factory: sessionmaker) -> None:
    with session_scope(factory) as session:
        for username, jobcenter in (("anna", "Horsens"), ("bo", "Vejle")):
            create_user(session, username=username, password=PASSWORDS[username], role="consultant",
                        jobcenters=[jobcenter], **CONTACTS[username])
        for citizen in CITIZENS:
            store.upsert_citizen(session, Candidate.model_validate(citizen))


def seed_position(factory: sessionmaker, position_id: str = "S-VEJLE", jobcenter: str = "Vejle") -> None:
    """A stilling in another jobcentre (for the tenant tests)."""
    with session_scope(factory) as session:
        store.upsert_position(session, Position.model_validate({
            "id": position_id, "title": "Pedel", "jobcenter": jobcenter,
            "employer": {"id": f"V-{position_id}", "name": "Skolen"},
            "tasks": [{"id": "t1", "title": "Pedelarbejde", "hours_per_week": 5, "competences": ["pedel"]}],
        }), jobcenter)


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 still, with test-sized cost: production parameters take a second per hash on a busy CI box."""
    from service.core.auth import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def seeded_template(directory: Path) -> Path:
    """A migrated and seeded SQLite file; tests take copies of it (seeding once is much faster)."""
    path = directory / "web-template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        seed(session_factory(engine))
    finally:
        engine.dispose()
    return path


def copy_of(template: Path, directory: Path) -> str:
    path = directory / f"web-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"
