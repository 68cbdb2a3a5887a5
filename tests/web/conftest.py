"""Fixtures for the web application: an app on a migrated database, one user per role, signed-in clients."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

PASSWORD = "correct-horse-battery"  # test accounts only
PORT = "2304"  # Laredo
OTHER_PORT = "2604"  # Nogales

# username -> (role, grants)
USERS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "officer": ("officer", [("port", PORT)]),
    "officer-nogales": ("officer", [("port", OTHER_PORT)]),
    "supervisor": ("supervisor", [("port", PORT)]),
    "headquarters": ("headquarters", []),
    "auditor": ("auditor", []),
    "auditor-id": ("auditor", [("identities", "*")]),
    "counsel": ("counsel", [("family", "1")]),
    "admin": ("admin", []),
    "spare": ("officer", []),  # the role matrix may disable this one
}
ROLE_USER = {
    "officer": "officer",
    "supervisor": "supervisor",
    "headquarters": "headquarters",
    "auditor": "auditor",
    "counsel": "counsel",
    "admin": "admin",
}

FAMILY = [
    {
        "given_name": "Maria",
        "family_name": "Garcia Lopez",
        "dob": "1992-02-03",
        "sex": "F",
        "a_number": "A-012-345-678",
        "role": "PARENT",
    },
    {"given_name": "Ana", "family_name": "Garcia", "dob": "2010-06-01", "sex": "F", "role": "CHILD"},
    {"given_name": "Luis", "family_name": "Garcia", "dob": "2017-12-24", "sex": "M", "role": "CHILD"},
]


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at its cheapest parameters in tests (production keeps the library's RFC 9106 defaults)."""
    from argon2 import PasswordHasher, profiles

    from reunify.web import security

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(security, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


@dataclass
class Web:
    """An app, its database URL, and helpers to sign in."""

    app: FastAPI
    url: str
    audit_dir: Path
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, username: str | None = None) -> TestClient:
        """A client signed in as ``username`` (cached), sending the session's CSRF token on every request."""
        if username is None:
            return TestClient(self.app, follow_redirects=False)
        if username not in self.clients:
            c = TestClient(self.app, follow_redirects=False)
            r = c.post("/api/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            self.clients[username] = c
        return self.clients[username]


def write_deliverable(folder: Path) -> Path:
    """A tiny audit deliverable: one finding and one candidate, with source references."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "separated_families.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "family_id",
                "port_code",
                "port_name",
                "field_office",
                "separation_date",
                "reasons",
                "n_parents",
                "n_children",
                "reunified",
                "still_separated_reason",
                "confidence",
                "evidence",
                "verdicts",
                "source_records",
            ]
        )
        w.writerow(
            [
                "F0a1b2c3d",
                PORT,
                "LAREDO",
                "LAREDO",
                "2018-05-21",
                "IMMIGRATION_HISTORY",
                "1",
                "2",
                "Y",
                "",
                "0.97",
                "legacy_flag;narrative",
                "teds-2015=inconsistent",
                "encounters.csv:E1;i213.csv:I1",
            ]
        )
    with (folder / "candidates.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "candidate_id",
                "family_id",
                "port_code",
                "separation_date",
                "reasons",
                "confidence",
                "evidence",
                "source_records",
            ]
        )
        w.writerow(
            [
                "C0d9e8f7a",
                "F0d9e8f7a",
                PORT,
                "2018-06-02",
                "UNKNOWN",
                "0.41",
                "custody_path",
                "orr_referrals.csv:O7",
            ]
        )
    with (folder / "separated_members.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["family_id", "person_id", "a_number", "family_name", "given_name", "relationship", "role", "dob"]
        )
        w.writerow(
            ["F0a1b2c3d", "P1", "012345678", "GARCIA LOPEZ", "MARIA", "MOTHER", "PARENT", "1992-02-03"]
        )
    return folder


def make_web(url: str, audit_dir: Path, *, seed: bool = True, **settings: Any) -> Web:
    """Migrate ``url`` and create the users (unless ``seed`` is False: a copy of a seeded database),
    then build the app (dev mode: plain-http cookies)."""
    from reunify.store.engine import make_engine, migrate, session_factory
    from reunify.web.app import create_app
    from reunify.web.services import accounts
    from reunify.web.settings import WebSettings

    if seed:
        migrate(url)
        engine = make_engine(url)
        with session_factory(engine).begin() as session:
            for username, (role, grants) in USERS.items():
                accounts.add_user(session, username=username, role=role, password=PASSWORD)
                for kind, value in grants:
                    accounts.grant(session, username=username, kind=kind, value=value)
        engine.dispose()
    app = create_app(WebSettings(dev=True, database_url=url, audit_dir=audit_dir, **settings))
    return Web(app=app, url=url, audit_dir=audit_dir)


def record_family(
    web: Web, *, justification: str = "Supervisor directed; prior removals documented"
) -> dict[str, Any]:
    """As the officer: an encounter of a mother and two children, a relationship, a separation (pending)."""
    officer = web.client("officer")
    r = officer.post(
        "/api/encounters", json={"port_code": PORT, "encounter_date": "2018-05-21", "people": FAMILY}
    )
    assert r.status_code == 201, r.text
    enc = r.json()
    mother, *children = [p["id"] for p in enc["people"]]
    for child in children:
        r = officer.post(
            "/api/relationships",
            json={
                "encounter_id": enc["id"],
                "adult_id": mother,
                "child_id": child,
                "kind": "MOTHER",
                "verification_method": "BIRTH_CERTIFICATE",
            },
        )
        assert r.status_code == 201, r.text
    r = officer.post(
        "/api/separations",
        json={
            "encounter_id": enc["id"],
            "separation_date": "2018-05-21",
            "parent_ids": [mother],
            "child_ids": children,
            "reasons": ["IMMIGRATION_HISTORY"],
            "narrative": "Two previous removals.",
            "evidence": "I-213; EARM history",
            "justification": justification,
        },
    )
    assert r.status_code == 201, r.text
    return {"encounter": enc, "mother": mother, "children": children, "separation": r.json()}


@pytest.fixture
def web(migrated_url: str, tmp_path: Path) -> Iterator[Web]:
    """A fresh app on each backend (sqlite, postgresql) with every user."""
    w = make_web(migrated_url, write_deliverable(tmp_path / "deliverable"))
    yield w
    w.app.state.engine.dispose()


@pytest.fixture
def sqlite_web(tmp_path: Path) -> Iterator[Web]:
    """The same on SQLite only."""
    w = make_web(f"sqlite:///{tmp_path / 'web.db'}", write_deliverable(tmp_path / "deliverable"))
    yield w
    w.app.state.engine.dispose()


@pytest.fixture(scope="module")
def module_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """One SQLite app per module, with a recorded family (separation #1 pending), for read-mostly tests."""
    base = tmp_path_factory.mktemp("web")
    w = make_web(f"sqlite:///{base / 'web.db'}", write_deliverable(base / "deliverable"))
    record_family(w)
    yield w
    w.app.state.engine.dispose()
