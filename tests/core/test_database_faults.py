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


async def test_while_another_process_holds_the_lock_nothing_a_person_asks_for_waits_past_a_few_seconds(
    core: Core,
) -> None:
    from pathlib import Path

    from bot.core import Command, Invocation
    from tests.test_database_lock import timed, write_lock_held

    await core.post_briefing(SGT, "response-a")
    with write_lock_held(Path(core.db.path)):
        # an officer-level view is shown only once audited: a clear "try again", in time
        with pytest.raises(NotRecorded, match="could not be shown"):
            await timed(core.run(Invocation(SGT, "local"), Command("status")))
        # a retry key that cannot be written lets the request through rather than keep the person waiting
        handled, took = await timed(core.first_time("slack:command:locked"))
        assert handled and took < 3.0
        # Teams' bookkeeping of conversation references never holds up the request
        _none, took = await timed(core.save_reference("teams:person:aad-x", {"user_id": "29:x"}))
        assert took < 3.0
    assert await core.reference("teams:person:aad-x") is None  # not kept: it will be, the next time Teams sends it
    reply = await core.run(Invocation(SGT, "local"), Command("status"))
    assert "Not yet acknowledged" in reply.text
