"""When the database cannot take a write (disk full, read-only), the officer is told their click was not
recorded and to try again; nothing is half-written and the next click, once it can, counts once."""

from __future__ import annotations

import sqlite3

import pytest

from bot.core import Core, NotRecorded
from bot.core.roles import Actor
from bot.store import Store
from tests.records import records

SGT = Actor("local:sgt-a", "Sgt A")
PC1 = Actor("local:pc-1", "PC One")


async def test_an_acknowledgement_on_a_full_disk_is_not_recorded_and_the_officer_is_told(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    real = Store.acknowledge

    def full(*_args: object, **_kwargs: object) -> object:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "acknowledge", full)
    with pytest.raises(NotRecorded, match=r"not recorded.*press Acknowledge again"):
        await core.acknowledge(PC1, view.delivery.id, via="local", event_key="slack:action:1")
    assert records(core).acknowledged_by(view.delivery.id) == []
    assert not records(core).seen("slack:action:1")  # the retry key did not outlive the failed write

    monkeypatch.setattr(Store, "acknowledge", real)
    result = await core.acknowledge(PC1, view.delivery.id, via="local", event_key="slack:action:1")
    assert result.first_time and records(core).acknowledged_by(view.delivery.id) == ["local:pc-1"]


async def test_health_says_whether_the_database_can_be_written(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    assert await core.database_writable()

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Store, "probe_write", read_only)
    assert not await core.database_writable()
