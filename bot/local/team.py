"""A team as those who lead it see it (its sergeants, the coordinators): the latest card, who has and has
not acknowledged it (the people it is for: its officers) and who was nudged when, the nudge button only while
someone is left to nudge, the form to post a card, and the few cards before it; every card behind one link.

Who may see the names is the core's: `Core.pending` refuses anyone else and puts each look on the audit
trail; only then does the page read who on the roster has acknowledged and who was nudged when."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.config import Team
from bot.core import CardView, Core, CoreError, NotFound, NudgeNotice, PendingResult
from bot.core.roles import Actor
from bot.local.cards import Shown, card_folded, when
from bot.local.render import attr
from content.topics import TOPICS

SHORT = 5
"""Cards shown before the latest one, before the link to every card."""
HISTORY = 500
"""The most cards the history page shows, newest first."""


def team_path(team: Team) -> str:
    return f"/teams/{team.id}"


def history_path(team: Team) -> str:
    return f"/teams/{team.id}/history"


def shown(view: CardView, progress: bool = True) -> Shown:
    """A card on its own team's page: the team is the page's, so not named again."""
    return Shown(view.delivery.id, view.card, "", view.delivery.posted_at, view.progress if progress else "")


async def team_section(core: Core, actor: Actor, team: Team, level: int, back: str) -> str:
    """The team under a heading of `level` (1 when it is the page), its parts a level below."""
    sub = level + 1
    tid = attr(team.id)
    views = await core.recent(team.id, limit=SHORT + 1)
    if views:
        latest = f"""<h{sub}>Latest card</h{sub}>
  {card_folded(shown(views[0], progress=False), core.timezone)}
  {await status_html(core, actor, team, sub + 1, back)}"""
    else:
        latest = f"<p>Nothing has been posted to {escape(team.name)} yet.</p>"
    earlier = ""
    if len(views) > 1:
        folded = "".join(card_folded(shown(v), core.timezone) for v in views[1:])
        earlier = f"""<h{sub}>Earlier cards</h{sub}>
  {folded}
  <p class="more"><a href="{attr(history_path(team))}">Every card posted to {escape(team.name)}</a></p>"""
    return f"""<section class="team" aria-labelledby="team-{tid}-h">
  <h{level} id="team-{tid}-h">{escape(team.name)}</h{level}>
  {latest}
  {post_form(team, sub, back)}
  {earlier}
</section>"""


async def status_html(core: Core, actor: Actor, team: Team, level: int, back: str) -> str:
    """Who has and has not acknowledged the latest card, who was nudged or reminded when, and the nudge
    button while someone not yet nudged is left."""
    try:
        pending = await core.pending(actor, team.id)
    except NotFound:
        return ""
    except CoreError as exc:
        return f"<p>{escape(str(exc))}</p>"
    if not pending.recipients:
        return '<p class="progress">Nobody to acknowledge it: the team has no officers on record.</p>'
    notices = await nudges(core, pending)
    missing = "".join(
        f"<li>{escape(name)}{_nudged_words(notices.get(pid, ()), core)}</li>" for pid, name in pending.not_acknowledged)
    acknowledged = await acknowledged_names(core, pending)
    if acknowledged:
        done = f"<div><h{level}>Acknowledged</h{level}><ul class=\"acknowledged\">" + "".join(
            f"<li>{escape(name)}</li>" for name in acknowledged) + "</ul></div>"
    else:
        done = f"<div><h{level}>Acknowledged</h{level}><p>Nobody yet.</p></div>"
    progress = f'<p class="progress">Acknowledged by {pending.acknowledged} of {pending.recipients}</p>'
    if not pending.not_acknowledged:
        return f'{progress}\n  <p class="done">Everyone has acknowledged it.</p>\n  <div class="who">{done}</div>'
    left = [pid for pid, _name in pending.not_acknowledged
            if pid != actor.id and not any(n.nudge.kind == "nudge" for n in notices.get(pid, ()))]
    return f"""{progress}
  <div class="who"><div><h{level}>Not yet acknowledged</h{level}><ul class="pending">{missing}</ul></div>{done}</div>
  {nudge_form(team, pending, left, back)}"""


def nudge_form(team: Team, pending: PendingResult, left: Sequence[str], back: str) -> str:
    names = dict(pending.not_acknowledged)
    if not left:
        who = names[next(iter(names))] + " has" if len(names) == 1 else "Each of them has"
        return f'<p class="note">{escape(who)} been nudged; a nudge is sent only once.</p>'
    words = f"Nudge {names[left[0]]}" if len(left) == 1 else f"Nudge the {len(left)} not yet nudged"
    return f"""<form method="post" action="/teams/{attr(team.id)}/nudge" class="nudge">
    <input type="hidden" name="back" value="{attr(back)}">
    <button type="submit">{escape(words)}</button> <span class="meta">a private message, once each</span></form>"""


async def nudges(core: Core, pending: PendingResult) -> dict[str, list[NudgeNotice]]:
    """The nudges and reminders each person not yet acknowledged was sent about this card."""
    found: dict[str, list[NudgeNotice]] = {}
    for pid, _name in pending.not_acknowledged:
        for notice in await core.nudges_for(Actor(pid), limit=10):
            if notice.nudge.delivery_id == pending.delivery.id:
                found.setdefault(pid, []).append(notice)
    return found


def _nudged_words(notices: Sequence[NudgeNotice], core: Core) -> str:
    words = [
        ("reminded " if n.nudge.kind == "reminder" else "nudged ") + when(n.nudge.at, core.timezone)
        + (f" by {n.by_name}" if n.by_name and n.nudge.kind != "reminder" else "")
        for n in sorted(notices, key=lambda n: n.nudge.at)
    ]
    return f' <span class="meta">{escape("; ".join(words))}</span>' if words else ""


async def acknowledged_names(core: Core, pending: PendingResult) -> list[str]:
    """Who on the team's configured roster has acknowledged the latest card, by name, and "N others" for
    anyone else counted (a channel with no configured roster); read only once the core has let this person
    see the card's list (`Core.pending`, which puts the look on the audit trail)."""
    names = []
    for pid in pending.team.members:
        states = await core.card_states(Actor(pid), [pending.delivery.id])
        if states[pending.delivery.id].acknowledged:
            names.append(await core.name_of(pid))
    names.sort(key=str.lower)
    others = pending.acknowledged - len(names)
    if others > 0:
        names.append(f"{others} other{'s' if others != 1 else ''} not on the configured roster")
    return names


def post_form(team: Team, level: int, back: str) -> str:
    tid = attr(team.id)
    topics = "".join(f'<option value="{attr(t)}">{escape(title)}</option>' for t, title in TOPICS.items())
    return f"""<h{level} id="post-{tid}-h">Post a briefing now</h{level}>
  <form method="post" action="/teams/{tid}/brief" class="post" aria-labelledby="post-{tid}-h">
    <input type="hidden" name="back" value="{attr(back)}">
    <label for="topic-{tid}">Topic</label>
    <select id="topic-{tid}" name="topic"><option value="">Next in the curriculum</option>{topics}</select>
    <button type="submit">Post briefing</button>
  </form>"""


async def history_section(core: Core, team: Team) -> str:
    """Every card posted to the team (up to HISTORY), newest first, each folded."""
    views = await core.recent(team.id, limit=HISTORY)
    folded = "".join(card_folded(shown(v), core.timezone) for v in views) or "<p>No cards yet.</p>"
    more = f"<p>The latest {HISTORY} are shown.</p>" if len(views) == HISTORY else ""
    return f"""<h1>{escape(team.name)}: every card</h1>
<p>{len(views)} card{"s" if len(views) != 1 else ""}, newest first. <a href="{attr(team_path(team))}">Back to
{escape(team.name)}</a></p>
{folded}
{more}"""


async def teams_list(core: Core, teams: Sequence[Team]) -> str:
    """Each team this person leads: its latest card and how far it has got, and the way to its page."""
    items = []
    for team in teams:
        views = await core.recent(team.id, limit=1)
        latest = (f"\u201c{escape(views[0].card.title)}\u201d, posted {escape(when(views[0].delivery.posted_at, core.timezone))}"
                  f" \u00b7 {escape(views[0].progress)}" if views else "nothing posted yet")
        items.append(f'<li><a href="{attr(team_path(team))}">{escape(team.name)}</a>: {latest}</li>')
    return f'<ul class="teams">{"".join(items)}</ul>' if items else "<p>No teams are configured.</p>"
