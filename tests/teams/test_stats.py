"""Stats in Teams for people with several teams: a coordinator's by team and a team's by officer in a
personal chat (audited); a sergeant sees their own teams by officer, an officer none."""

from __future__ import annotations

from tests.records import records
from tests.teams.conftest import COORD, PC1, SGT, SGT_B, Teams, sergeant_briefs


async def test_a_coordinator_gets_stats_by_team_and_a_teams_by_officer_view_in_a_personal_chat(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))

    await teams.send(teams.personal_message(COORD, "stats"))
    summary = teams.connector.replies()[-1].body["text"]
    assert "Response Team A (response-a): 1/3 ack (33%) \u00b7 0 on time \u00b7 no answers yet" in summary
    assert "Response Team B (response-b): nothing delivered yet" in summary
    assert "PC Ahmed" not in summary

    await teams.send(teams.personal_message(COORD, "stats response-a"))
    by_officer = teams.connector.replies()[-1].body["text"]
    assert by_officer.startswith("Response Team A, by officer:")
    assert "- PC Ahmed: 1/1 ack (100%)" in by_officer and "- PC Brown: 0/1 ack (0%)" in by_officer
    assert "Sgt Patel" not in by_officer  # the team's officers: its sergeant is not sent its cards as one
    assert all(len(line) <= 60 for line in by_officer.splitlines()[1:-1])  # one short line each: a phone's width
    audit = records(teams.core).audit_trail()
    assert any(a["action"] == "view-officer-stats" and a["actor"] == "teams:aad-coord" and a["target"] == "response-a"
               for a in audit)


async def test_a_sergeant_sees_only_their_own_teams_by_officer_and_officers_none(teams: Teams) -> None:
    await sergeant_briefs(teams)

    await teams.send(teams.personal_message(SGT_B, "stats response-a"))
    assert "your own teams only" in teams.connector.replies()[-1].body["text"]
    await teams.send(teams.personal_message(PC1, "stats response-a"))
    assert "for sergeants and coordinators" in teams.connector.replies()[-1].body["text"]
    await teams.send(teams.personal_message(SGT, "stats response-a"))
    assert "PC Ahmed" in teams.connector.replies()[-1].body["text"]
