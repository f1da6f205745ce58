"""A rollout targets a chosen set of connections: adoption, ticket KPIs and drift are
counted over that set, not one tool or every tool."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from pmcockpit.core.rollout import RolloutKind
from pmcockpit.services import rollout as service
from pmcockpit.services import rollout_adoption
from pmcockpit.services.sync import sync_connection
from pmcockpit.storage.connections import UnknownConnection
from pmcockpit.storage.queries.rollout_targets import targets
from pmcockpit.storage.queries.rollout_versions import unplanned_moves, version_notes
from tests.services.rollout_sim import SimSetup, sim_setup


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimSetup]:
    setup = sim_setup(tmp_path)
    monkeypatch.setattr(rollout_adoption, "utcnow", lambda: setup.clock.naive)
    yield setup
    setup.workspace.db.dispose()


def test_the_chosen_connections_are_stored_and_shown(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    rollout_id = service.create_rollout(ws, "Both", RolloutKind.ADOPTION, today,
                                        connections=("redmine", "gitlab", "redmine"))
    with ws.db.session() as session:
        assert targets(session, rollout_id) == ("gitlab", "redmine")
    assert service.detail(ws, "Both", today).connection == "gitlab, redmine"
    service.create_rollout(ws, "Everyone", RolloutKind.ADOPTION, today)
    assert service.detail(ws, "Everyone", today).connection is None
    with pytest.raises(UnknownConnection):
        service.create_rollout(ws, "Typo", RolloutKind.ADOPTION, today,
                               connections=("redmine", "jria"))
    with pytest.raises(service.UnknownRollout):  # refused whole: nothing half-made
        service.detail(ws, "Typo", today)


async def test_adoption_is_measured_on_the_chosen_connections_only(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Redmine only", RolloutKind.ADOPTION, today,
                           connections=("redmine",))
    service.add_wave(ws, "Redmine only", "Pilot", teams=(("Finance", "Finance", None),))
    service.create_rollout(ws, "Both", RolloutKind.ADOPTION, today,
                           connections=("redmine", "gitlab"))
    service.add_wave(ws, "Both", "Pilot", teams=(("Finance", "Finance", None),))
    for tool in ("redmine", "gitlab"):
        assert (await sync_connection(ws, tool)).ok
    assert rollout_adoption.record_adoption(ws, "redmine") == 2  # both rollouts count it
    assert rollout_adoption.record_adoption(ws, "gitlab") == 1   # only the one choosing it


def test_drift_covers_every_chosen_connection(sim: SimSetup) -> None:
    ws, today = sim.workspace, sim.clock.naive.date()
    service.create_rollout(ws, "Upgrade both", RolloutKind.UPGRADE, today,
                           connections=("gitlab", "redmine"), current_version="5.0",
                           target_version="5.1")
    since = sim.clock.naive - timedelta(days=1)
    with ws.db.session() as session:
        notes = version_notes(session, since)
        assert set(notes) == {"gitlab", "redmine"}
        assert all(note.upgrade == "Upgrade both" for note in notes.values())
        assert notes["redmine"].version is not None
        assert notes["redmine"].version.connection == "redmine"
        assert unplanned_moves(session, since) == []
