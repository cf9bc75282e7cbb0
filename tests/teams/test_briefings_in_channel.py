"""A team installs the bot; a sergeant briefs; officers acknowledge; everything counts once."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot import cli
from tests.records import answer_of, records
from tests.teams.conftest import (
    CHANNEL,
    CHANNEL_B,
    PC1,
    PC2,
    PC3,
    SGT,
    TENANT,
    Teams,
    cards_in,
    progress_of,
    submit_data,
)


async def brief(teams: Teams, text: str = "brief now displacement") -> None:
    await teams.install()
    response = await teams.send(teams.channel_message(SGT, text))
    assert response.status == 200, await response.text()


async def test_adding_the_bot_to_a_team_stores_the_channel_reference_and_names_the_team(teams: Teams) -> None:
    await teams.install()

    reference = records(teams.core).reference(f"teams:{CHANNEL}")
    assert reference is not None
    assert reference["service_url"] == teams.connector.url
    assert reference["tenant_id"] == TENANT
    assert reference["channel_id"] == CHANNEL
    welcome = teams.connector.replies()
    assert len(welcome) == 1 and "Response Team A" in welcome[0].body["text"]


async def test_adding_the_bot_to_an_unconfigured_channel_tells_the_admin_its_channel_id(teams: Teams) -> None:
    response = await teams.send(teams.install_activity(channel="19:unknown@thread.tacv2"))

    assert response.status == 200
    [welcome] = teams.connector.replies()
    assert "teams:19:unknown@thread.tacv2" in welcome.body["text"]


async def test_sergeants_brief_now_posts_a_valid_card_into_the_channel(teams: Teams) -> None:
    await brief(teams)

    [post] = teams.connector.posts()
    assert post.body["channelData"]["channel"]["id"] == CHANNEL  # a new post in the channel, not a reply
    assert post.body["channelData"]["tenant"]["id"] == TENANT
    [card] = cards_in(post)  # and the conftest validates it against Adaptive Card 1.5 after the test
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None and delivery.topic == "displacement"
    assert submit_data(card, "Acknowledge")["delivery"] == delivery.id
    assert progress_of(card) == "Acknowledged by 0 of 3"  # the roster's officers (not its sergeant), read page by page
    pages = [c for c in teams.connector.calls if c.path.endswith("/pagedmembers")]
    assert [c.query.get("continuationToken") for c in pages] == [None, "2"]
    title = teams.core.card(delivery.card_id).title
    assert any(b.get("text") == title for b in card["body"])
    assert any(b.get("text", "").startswith(("Source: ", "Sources")) for b in card["body"])
    assert delivery.message_ref is not None and delivery.message_ref["activity_id"] == post.response_id
    [confirmation] = teams.connector.replies()[1:]
    assert "messageid=1700000000999" in confirmation.path  # answered in the sergeant's thread
    assert "Posted" in confirmation.body["text"]


async def test_acknowledgements_update_the_card_in_place_and_count_once_each(
    teams: Teams, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await brief(teams)
    [post] = teams.connector.posts()

    for who in (PC1, PC2):
        response = await teams.send(teams.card_click(who, post, "Acknowledge"))
        assert response.status == 200
    again = teams.card_click(PC1, post, "Acknowledge")  # a double click: a new activity
    assert (await teams.send(again)).status == 200
    assert (await teams.send(again)).status == 200  # and Teams retrying the same activity

    updates = teams.connector.updates()
    assert [progress_of(cards_in(u)[0]) for u in updates] == ["Acknowledged by 1 of 3", "Acknowledged by 2 of 3"]
    root = post.response_id
    assert all(u.path == f"/v3/conversations/{CHANNEL};messageid={root}/activities/{root}" for u in updates)

    private = [c.body["text"] for c in teams.connector.replies() if "a:personal-" in c.path]
    assert sum("Thanks, you have acknowledged" in t for t in private) == 2
    assert sum("already acknowledged" in t for t in private) == 1  # the retry was not processed again

    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(teams.config_path))
    monkeypatch.setenv("SHIFTBRIEF_DB", str(teams.settings.db_path))
    capsys.readouterr()
    assert await asyncio.to_thread(cli.main, ["stats", "--json", "--by", "officer", "--names"]) == 0
    rows = {r["officer"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert {pid: r["acknowledged"] for pid, r in rows.items()} == {
        "teams:aad-pc1": 1, "teams:aad-pc2": 1, "teams:aad-pc3": 0,
    }  # the officers: the sergeant was not sent it as one of them
    assert all(r["delivered"] == 1 for r in rows.values())
    assert rows["teams:aad-pc1"]["name"] == "PC Ahmed"


async def test_an_officers_check_answer_is_told_privately_and_the_first_answer_kept(teams: Teams) -> None:
    await brief(teams)
    [post] = teams.connector.posts()
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None
    card = teams.core.card(delivery.card_id)
    wrong = next(n for n in range(1, len(card.check.options) + 1) if n != card.check.answer)

    await teams.send(teams.card_click(PC3, post, "Check my answer", choice=str(wrong)))
    await teams.send(teams.card_click(PC3, post, "Check my answer", choice=str(card.check.answer)))

    texts = teams.connector.texts_to(f"a:personal-{PC3.user_id}")
    assert texts[0].startswith("Not quite")
    assert "is the one kept" in texts[1]
    assert answer_of(records(teams.core), delivery.id, "teams:aad-pc3") == (wrong, False)
    assert not any(CHANNEL in c.path and "Not quite" in (c.body.get("text") or "") for c in teams.connector.replies())


async def test_an_officers_brief_now_posts_nothing_and_says_why(teams: Teams) -> None:
    await teams.install()

    response = await teams.send(teams.channel_message(PC1, "brief now displacement"))

    assert response.status == 200
    assert teams.connector.posts() == []
    [refusal] = teams.connector.replies()[1:]
    assert "Only a team's sergeants or a coordinator can post a briefing" in refusal.body["text"]
    assert records(teams.core).latest_delivery("response-a") is None


async def test_status_and_nudge_name_who_has_not_acknowledged_and_nudge_them_once(teams: Teams) -> None:
    await brief(teams)
    [post] = teams.connector.posts()
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))

    await teams.send(teams.channel_message(SGT, "status"))
    status = teams.connector.replies()[-1].body["text"]
    assert "acknowledged by 1 of 3" in status and "PC Brown" in status and "PC Ahmed" not in status
    assert "Sgt Patel" not in status

    await teams.send(teams.channel_message(SGT, "nudge"))
    assert "Nudged 2 privately" in teams.connector.replies()[-1].body["text"]  # not the sergeant: not a recipient
    nudged = {c.path for c in teams.connector.replies() if "asks you to read" in (c.body.get("text") or "")}
    assert nudged == {f"/v3/conversations/a:personal-{m.user_id}/activities" for m in (PC2, PC3)}

    await teams.send(teams.channel_message(SGT, "nudge"))
    assert "2 had already been nudged once" in teams.connector.replies()[-1].body["text"]


async def test_officers_cannot_see_team_statistics_and_are_told_why(teams: Teams) -> None:
    await brief(teams)

    await teams.send(teams.channel_message(PC2, "stats"))

    assert "for sergeants and coordinators" in teams.connector.replies()[-1].body["text"]


async def test_help_lists_the_commands_with_the_mention_stripped(teams: Teams) -> None:
    await teams.install()

    await teams.send(teams.channel_message(PC1, "help"))

    text = teams.connector.replies()[-1].body["text"]
    for words in ("brief now [topic]", "status", "nudge", "stats [team id]", "me", "brief ask &lt;question&gt;", "help"):
        assert f"**{words}**" in text


async def test_a_channel_message_that_does_not_mention_the_bot_is_left_alone(teams: Teams) -> None:
    await teams.install()
    message = teams.channel_message(SGT, "brief now")
    message["text"], message["entities"] = "brief now", []

    assert (await teams.send(message)).status == 200
    assert teams.connector.posts() == [] and len(teams.connector.replies()) == 1  # the welcome only


async def test_a_team_the_bot_was_never_added_to_is_named_and_the_fix_given(teams: Teams) -> None:
    sergeant_b = SGT.__class__("29:sgtb", "aad-sgtb", "Sgt Walsh")

    await teams.send(teams.personal_message(sergeant_b, "brief now"))

    assert teams.connector.posts() == []
    reply = teams.connector.replies()[-1].body["text"]
    assert "has not been added to the Microsoft Teams team" in reply and "add the shiftbrief app" in reply


async def test_installing_stores_every_channel_of_the_team_so_any_can_be_a_teams_channel(teams: Teams) -> None:
    teams.connector.channels = [(CHANNEL_B, "Team B briefings")]  # B's channel lives in the same Teams team
    await teams.install()
    [welcome] = teams.connector.replies()
    assert "Response Team A" in welcome.body["text"] and "Response Team B" in welcome.body["text"]
    sergeant_b = SGT.__class__("29:sgtb", "aad-sgtb", "Sgt Walsh")

    await teams.send(teams.personal_message(sergeant_b, "brief now"))

    [post] = teams.connector.posts()
    assert post.body["channelData"]["channel"]["id"] == CHANNEL_B


async def test_a_plain_message_to_a_channel_is_a_new_post_there(teams: Teams) -> None:
    await teams.install()

    await teams.platform.post_text(f"teams:{CHANNEL}", "Unanswered question for the content team: \u201cwhy?\u201d")

    [post] = [c for c in teams.connector.sent("POST") if c.path == "/v3/conversations"]
    assert post.body["isGroup"] and post.body["channelData"]["channel"]["id"] == CHANNEL
    assert post.body["activity"]["text"].startswith("Unanswered question")
