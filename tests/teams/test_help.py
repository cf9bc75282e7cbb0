"""Help in a Teams channel: in a channel no team uses it gives the channel's id to configure; in a team's
channel it does not talk about ids."""

from __future__ import annotations

from tests.teams.conftest import SGT, TENANT, Teams


async def test_help_in_an_unconfigured_channel_shows_the_channel_id(teams: Teams) -> None:
    other = "19:unlisted@thread.tacv2"
    message = teams.channel_message(SGT, "help")
    message["conversation"]["id"] = f"{other};messageid=1700000000999"
    message["channelData"] = {"teamsChannelId": other, "channel": {"id": other}, "team": {"id": other},
                              "tenant": {"id": TENANT}}

    assert (await teams.send(message)).status == 200

    text = teams.connector.replies()[-1].body["text"]
    assert "brief now [topic]" in text and f"teams:{other}" in text


async def test_help_in_a_configured_channel_does_not_talk_about_its_id(teams: Teams) -> None:
    await teams.install()
    await teams.send(teams.channel_message(SGT, "help"))
    assert "channel id" not in teams.connector.replies()[-1].body["text"]
