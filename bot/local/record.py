"""A person's own cards: first what is still to do (cards delivered to them not yet acknowledged, or whose
check is not answered), newest first, then their record: their totals, the nudges they were sent and the
cards they have done. Short by default (SHORT of each); everything behind one link."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core import CardView, Core, CoreError, Engagement
from bot.core.roles import Actor
from bot.local.cards import Shown, card_article, card_folded, when

SHORT = 5
"""Cards still to do, and cards done, shown before the link to all of them."""
EVERYTHING = "/?history=all"


async def record_sections(core: Core, actor: Actor, everything: bool = False) -> str:
    """The to-do section and the record section, h2 each."""
    record = [e for e in reversed(await core.my_record(actor)) if _in_pack(core, e.card_id)]  # newest first
    to_do = [e for e in record if not (e.acknowledged and e.answered)]
    done = [e for e in record if e.acknowledged and e.answered]
    shown_to_do = to_do if everything else to_do[:SHORT]
    shown_done = done if everything else done[:SHORT]
    cards = await _shown(core, actor, [*shown_to_do, *shown_done])
    return "\n".join([
        _to_do_section(core, shown_to_do, len(to_do), cards, everything, bool(record)),
        await _record_section(core, actor, shown_done, len(done), cards, everything),
    ])


def _in_pack(core: Core, card_id: str) -> bool:
    try:
        core.card(card_id)
    except CoreError:
        return False
    return True


async def _shown(core: Core, actor: Actor, engagements: Sequence[Engagement]) -> dict[str, Shown]:
    """Each delivery as a page shows it, with what this person did and, for a team's latest cards, its progress."""
    ids = [e.delivery_id for e in engagements]
    states = await core.card_states(actor, ids)
    views: dict[str, CardView] = {}
    for team_id in dict.fromkeys(e.team_id for e in engagements):
        views.update((v.delivery.id, v) for v in await core.recent(team_id, limit=2 * SHORT))
    one_team = len({e.team_id for e in engagements}) == 1  # then every card is that team's: no need to say so
    shown = {}
    for e in engagements:
        view = views.get(e.delivery_id)
        shown[e.delivery_id] = Shown(e.delivery_id, core.card(e.card_id), "" if one_team else _team_name(core, e.team_id),
                                     e.posted_at, view.progress if view else "", states[e.delivery_id])
    return shown


def _team_name(core: Core, team_id: str) -> str:
    try:
        return core.team(team_id).name
    except CoreError:
        return "a team no longer configured"


def _to_do_section(core: Core, to_do: Sequence[Engagement], total: int, cards: dict[str, Shown], everything: bool,
                   any_delivered: bool) -> str:
    zone = core.timezone
    if not to_do:
        lead = ('<p class="done">Nothing to do: you have acknowledged every card delivered to you and answered '
                "its check.</p>" if any_delivered else
                "<p>Nothing to do yet: no card has been delivered to you. Cards come to you through your team's "
                "channel, when your sergeant posts one or before a shift.</p>")
        items = ""
    else:
        lead = f"<p>{total} card{'s' if total != 1 else ''} to acknowledge or answer, newest first.</p>"
        first, *rest = to_do
        items = card_article(cards[first.delivery_id], zone) + "".join(
            card_folded(cards[e.delivery_id], zone) for e in rest)
    more = ""
    if not everything and total > len(to_do):
        older = total - len(to_do)
        more = (f'<p class="more"><a href="{EVERYTHING}">{older} older card{"s" if older != 1 else ""} still to '
                "do</a></p>")
    return f"""<section id="to-do" aria-labelledby="to-do-h">
  <h2 id="to-do-h">Still to do</h2>
  {lead}
  {items}
  {more}
</section>"""


async def _record_section(core: Core, actor: Actor, done: Sequence[Engagement], total: int,
                          cards: dict[str, Shown], everything: bool) -> str:
    zone = core.timezone
    totals = await core.my_totals(actor)
    nudges = await core.nudges_for(actor, limit=3)
    nudge_items = "".join(
        f"<li>{'Reminder' if n.nudge.kind == 'reminder' else 'Nudge'} about \u201c{escape(n.card_title)}\u201d"
        f"{' from ' + escape(n.by_name) if n.by_name else ''}, {escape(when(n.nudge.at, zone))}</li>"
        for n in nudges)
    nudge_html = f'<h3>Nudges and reminders</h3><ul class="nudges">{nudge_items}</ul>' if nudge_items else ""
    if done:
        done_html = "<h3>Cards done</h3>" + "".join(card_folded(cards[e.delivery_id], zone) for e in done)
    else:
        done_html = ""
    if everything:
        link = '<p class="more"><a href="/">Show the latest only</a></p>'
    elif total > len(done):
        link = f'<p class="more"><a href="{EVERYTHING}">Every card delivered to you ({total} done)</a></p>'
    else:
        link = ""
    return f"""<section id="record" aria-labelledby="record-h">
  <h2 id="record-h">Your record</h2>
  <p>{escape(totals.message)}</p>
  {nudge_html}
  {done_html}
  {link}
</section>"""
