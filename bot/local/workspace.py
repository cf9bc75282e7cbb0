"""The local workspace's routes: server-rendered pages and plain HTML forms over the core.

Every route is for this machine only: `add_routes` returns their paths and bot/app.py refuses any
request for them that did not come straight from this machine (loopback peer, Host, no proxy headers).
A form the page itself could not have sent (undecodable, a choice or question id that is not a number)
is a 400 with one line saying why, logged once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from aiohttp import web

from bot.config import PERSON_ID
from bot.core import MAX_QUESTION, AskResult, CardState, CardView, Command, Core, CoreError, Invocation, Role
from bot.core.roles import Actor
from bot.local.dashboard import PAGE as DASHBOARD
from bot.local.dashboard import add_routes as add_dashboard_routes
from bot.local.dashboard import progress_summary
from bot.local.render import attr, inline, markdown
from content.topics import TOPICS, topic_title

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
WHO = "sb_who"
FLASH = "sb_flash"
NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{0,40}\Z")
LOCAL_ID = re.compile(r"^local:[a-z0-9][a-z0-9-]{0,40}\Z")  # an officer of a local channel not named in the config
CHOICE = re.compile(r"^[0-9]{1,3}\Z")  # what the page's radio buttons send; the core checks the range
QUESTION_ID = re.compile(r"^[0-9]{1,12}\Z")


def add_routes(app: web.Application, core: Core) -> list[str]:
    """Add the workspace's routes; return their paths, for bot/app.py to keep them to this machine."""
    page = Workspace(core)
    routes = [
        app.router.add_get("/", page.home),
        app.router.add_post("/identity", page.identity),
        app.router.add_post("/ask", page.ask),
        app.router.add_post("/questions/{qid}/feedback", page.feedback),
        app.router.add_post("/deliveries/{delivery}/acknowledge", page.acknowledge),
        app.router.add_post("/deliveries/{delivery}/check", page.check),
        app.router.add_post("/teams/{team}/brief", page.brief),
        app.router.add_post("/teams/{team}/nudge", page.nudge),
    ]
    paths = [route.resource.canonical for route in routes if route.resource is not None]
    paths += add_dashboard_routes(app, core, page.actor)
    return [*paths, app.router.add_static("/static/", STATIC, show_index=False).canonical]


class Workspace:
    def __init__(self, core: Core) -> None:
        self.core = core

    # -- who is acting ------------------------------------------------------------------------
    async def actor(self, request: web.Request) -> Actor | None:
        who = unquote(request.cookies.get(WHO, ""))
        if not who or not PERSON_ID.match(who):
            return None
        return Actor(who, await self.core.name_of(who))

    async def require_actor(self, request: web.Request) -> Actor:
        if not _same_origin(request):
            raise _Flash("That form came from another site, so it was ignored.")
        actor = await self.actor(request)
        if actor is None:
            raise _Flash("Choose who you are first.")
        return actor

    def invocation(self, actor: Actor) -> Invocation:
        return Invocation(actor, via="local")

    async def identity(self, request: web.Request) -> web.StreamResponse:
        form = await _form(request)
        if not _same_origin(request):
            return self.redirect("That form came from another site, so it was ignored.")
        chosen = form.get("person", "")
        typed = form.get("name", "").strip()
        if typed:
            if not NAME.match(typed):
                return self.redirect("A name can use letters, spaces, dots, apostrophes and hyphens (up to 40).")
            chosen = "local:" + re.sub(r"[^a-z0-9]+", "-", typed.lower()).strip("-")
            try:
                await self.core.save_name(chosen, typed)
            except CoreError as exc:
                return self.redirect(str(exc))
        elif chosen not in self.core.known_people() and not LOCAL_ID.match(chosen):
            return self.redirect("Choose someone from the list, or type a name to join as an officer.")
        response = self.redirect(f"You are now {await self.core.name_of(chosen)}.")
        response.set_cookie(WHO, quote(chosen, safe=""), httponly=True, samesite="Strict", path="/")
        return response

    # -- actions ------------------------------------------------------------------------------
    async def acknowledge(self, request: web.Request) -> web.StreamResponse:
        delivery_id = request.match_info["delivery"]
        try:
            result = await self.core.acknowledge(await self.require_actor(request), delivery_id, via="local")
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc))
        return self.redirect(result.message, anchor=delivery_id)

    async def check(self, request: web.Request) -> web.StreamResponse:
        delivery_id = request.match_info["delivery"]
        choice = (await _form(request)).get("choice", "")
        if choice and not CHOICE.match(choice):
            raise _bad_form(request, "`choice` must be the number of one of the answers")
        try:
            actor = await self.require_actor(request)
            result = await self.core.answer_check(actor, delivery_id, choice)
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc), anchor=delivery_id)
        return self.redirect(result.message, anchor=delivery_id)

    async def brief(self, request: web.Request) -> web.StreamResponse:
        topic = (await _form(request)).get("topic", "")
        command = Command("now", (topic,) if topic else (), team_id=request.match_info["team"])
        try:
            reply = await self.core.run(self.invocation(await self.require_actor(request)), command)
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc))
        return self.redirect(reply.plain(), anchor=reply.posted.delivery.id if reply.posted else "")

    async def nudge(self, request: web.Request) -> web.StreamResponse:
        command = Command("nudge", team_id=request.match_info["team"])
        try:
            reply = await self.core.run(self.invocation(await self.require_actor(request)), command)
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc))
        return self.redirect(reply.plain())

    async def ask(self, request: web.Request) -> web.StreamResponse:
        question = (await _form(request)).get("question", "")
        try:
            actor = await self.require_actor(request)
            reply = await self.core.run(self.invocation(actor), Command("ask", text=question))
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc), anchor="ask")
        return await self.home(request, answer=reply.answer)

    async def feedback(self, request: web.Request) -> web.StreamResponse:
        question_id = request.match_info["qid"]
        if not QUESTION_ID.match(question_id):
            raise _bad_form(request, "that is not a question id")
        helpful = (await _form(request)).get("helpful") == "yes"
        try:
            actor = await self.require_actor(request)
            message = await self.core.rate_answer(actor, question_id, helpful)
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc), anchor="ask")
        return self.redirect(message, anchor="ask")

    def redirect(self, message: str, anchor: str = "") -> web.StreamResponse:
        fragment = quote(anchor, safe="-", errors="replace")  # a delivery id from the path may be anything
        response = web.Response(status=303, headers={"Location": "/" + (f"#{fragment}" if fragment else "")})
        response.set_cookie(FLASH, quote(message[:400], safe=""), httponly=True, samesite="Strict", path="/")
        return response

    # -- the page -----------------------------------------------------------------------------
    async def home(self, request: web.Request, answer: AskResult | None = None) -> web.StreamResponse:
        actor = await self.actor(request)
        flash = _unicode_or_empty(unquote(request.cookies.get(FLASH, "")))
        parts = [await self.header(actor)]
        if flash:
            parts.append(f'<p class="flash" role="status" id="flash" tabindex="-1">{escape(flash)}</p>')
        else:
            parts.append('<p class="flash" role="status" id="flash" hidden></p>')
        if actor is None:
            parts.append(self.intro())
        else:
            parts.append(self.ask_section(answer))
            role = self.core.role(actor)
            if role is Role.OFFICER:
                parts.append(await self.record_section(actor))
            for team in self.core.teams():
                parts.append(await self.team_section(actor, team.id))
            if role is not Role.OFFICER:
                parts.append(await self.stats_section(actor))
            parts.append(self.help_section())
        body = "\n".join(parts)
        response = web.Response(text=_document(body), content_type="text/html", charset="utf-8")
        response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self'; script-src 'self'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        if flash:
            response.del_cookie(FLASH, path="/")
        return response

    async def header(self, actor: Actor | None) -> str:
        options = []
        for pid in self.core.known_people():
            role = self.core.role(Actor(pid)).value
            selected = " selected" if actor and actor.id == pid else ""
            options.append(f'<option value="{attr(pid)}"{selected}>{escape(await self.core.name_of(pid))} ({role})</option>')
        current = (
            f"You are <strong>{escape(actor.name)}</strong> ({self.core.role(actor).value})."
            if actor
            else "Choose who you are to begin."
        )
        if actor and self.core.role(actor) is not Role.OFFICER:
            current += f' <a href="{DASHBOARD}">Open the dashboard</a>'
        return f"""
<header class="top">
  <p class="brand">shiftbrief <span>local workspace</span></p>
  <p class="whoami">{current}</p>
  <form method="post" action="/identity" class="identity">
    <label for="person">Act as</label>
    <select id="person" name="person">{''.join(options)}</select>
    <label for="name">or join as an officer named</label>
    <input id="name" name="name" type="text" maxlength="40" autocomplete="off">
    <button type="submit">Switch</button>
  </form>
</header>"""

    def intro(self) -> str:
        return """
<section aria-labelledby="intro-h">
  <h1 id="intro-h">Hot spots policing briefings, where your shift already is</h1>
  <p>This page stands in for a team's Slack or Teams channel. Choose a sergeant to post a briefing card,
  then an officer to acknowledge it and answer its check question. Anyone can ask a question.</p>
</section>"""

    def ask_section(self, asked: AskResult | None) -> str:
        result = ""
        if asked is not None:
            found, qid = asked.answer, asked.question_id
            if found.answered and found.card is not None:
                card = found.card
                sources = "".join(
                    f"<li>{escape(s.citation())}{_source_link(s.url, s.url)}</li>" for s in card.sources
                )
                result = f"""
  <article class="answer" aria-labelledby="answer-h" tabindex="-1" id="answer">
    <h3 id="answer-h">{escape(card.title)}</h3>
    <p class="asked">You asked: \u201c{escape(found.query)}\u201d</p>
    {markdown(card.body)}
    <h4>Source</h4><ul class="sources">{sources}</ul>
    <p class="meta">Card {escape(card.id)} \u00b7 {escape(topic_title(card.topic))}</p>
    <form method="post" action="/questions/{qid}/feedback" class="inline">
      <span>Helpful?</span>
      <button name="helpful" value="yes">Helpful</button>
      <button name="helpful" value="no">Not helpful</button>
    </form>
  </article>"""
            else:
                result = f"""
  <article class="answer unknown" tabindex="-1" id="answer">
    <h3>I don't know</h3>
    <p class="asked">You asked: \u201c{escape(found.query)}\u201d</p>
    <p>{escape(asked.message)}</p>
  </article>"""
        return f"""
<section id="ask" aria-labelledby="ask-h">
  <h2 id="ask-h">Ask a question</h2>
  <form method="post" action="/ask">
    <label for="question">Your question, in your own words</label>
    <input id="question" name="question" type="text" maxlength="{MAX_QUESTION}" required>
    <button type="submit">Ask</button>
  </form>{result}
</section>"""

    async def record_section(self, actor: Actor) -> str:
        totals = await self.core.my_totals(actor)
        nudges = await self.core.nudges_for(actor, limit=3)
        nudge_html = "".join(
            f"<li>{'Reminder' if n.nudge.kind == 'reminder' else 'Nudge'} about \u201c{escape(n.card_title)}\u201d"
            f"{' from ' + escape(n.by_name) if n.by_name else ''}</li>"
            for n in nudges
        )
        return f"""
<section aria-labelledby="me-h">
  <h2 id="me-h">My record</h2>
  <p>{escape(totals.message)}</p>
  {f'<ul class="nudges">{nudge_html}</ul>' if nudge_html else ''}
</section>"""

    async def team_section(self, actor: Actor, team_id: str) -> str:
        team = self.core.team(team_id)
        leads = team in self.core.teams_led_by(actor)
        tools = ""
        if leads:
            topics = "".join(f'<option value="{attr(t)}">{escape(title)}</option>' for t, title in TOPICS.items())
            pending = ""
            try:
                result = await self.core.pending(actor, team.id)
                names = "".join(f"<li>{escape(name)}</li>" for _pid, name in result.not_acknowledged)
                pending = (
                    f"<h4>Not yet acknowledged \u201c{escape(result.card.title)}\u201d</h4>"
                    + (f"<ul class='pending'>{names}</ul>" if names else "<p>Everyone has acknowledged it.</p>")
                    + f"""<form method="post" action="/teams/{attr(team.id)}/nudge">
                    <button type="submit">Nudge them (once each)</button></form>"""
                )
            except CoreError as exc:
                pending = f"<p>{escape(str(exc))}</p>"
            tools = f"""
  <div class="tools">
    <form method="post" action="/teams/{attr(team.id)}/brief">
      <label for="topic-{attr(team.id)}">Post a briefing now</label>
      <select id="topic-{attr(team.id)}" name="topic"><option value="">Next in the curriculum</option>{topics}</select>
      <button type="submit">Post briefing</button>
    </form>
    {pending}
  </div>"""
        views = await self.core.recent(team.id, limit=5)
        states = await self.core.card_states(actor, [v.delivery.id for v in views])
        cards = "".join(self.card_html(v, states[v.delivery.id]) for v in views) or "<p>No briefings yet.</p>"
        return f"""
<section class="team" aria-labelledby="team-{attr(team.id)}">
  <h2 id="team-{attr(team.id)}">{escape(team.name)} <span class="channel">{escape(team.channel)}</span></h2>
  {tools}
  {cards}
</section>"""

    def card_html(self, view: CardView, state: CardState) -> str:
        card, delivery = view.card, view.delivery
        did = attr(delivery.id)
        if state.acknowledged:
            ack = '<p class="done">You have acknowledged this card.</p>'
        else:
            ack = f"""<form method="post" action="/deliveries/{did}/acknowledge">
      <button type="submit" class="primary">Acknowledge</button></form>"""
        if state.choice is not None:
            choice, correct = state.choice, state.correct
            check = (
                f'<p class="done">Your answer: \u201c{escape(card.check.options[choice - 1])}\u201d \u2014 '
                f"{'right' if correct else 'not quite'}. {escape(card.check.explanation)}</p>"
            )
        else:
            options = "".join(
                f'<div><input type="radio" name="choice" value="{i}" id="{did}-o{i}">'
                f'<label for="{did}-o{i}">{escape(text)}</label></div>'
                for i, text in enumerate(card.check.options, start=1)
            )
            check = f"""<form method="post" action="/deliveries/{did}/check">
      <fieldset><legend>Check: {escape(card.check.question)}</legend>{options}</fieldset>
      <button type="submit">Check my answer</button></form>"""
        myth = f'<p class="myth"><strong>Myth:</strong> {inline(card.myth)}</p>' if card.myth else ""
        source = card.sources[0]
        posted = delivery.posted_at.astimezone(self.core.timezone) if delivery.posted_at else None
        when = posted.strftime("%a %d %b %H:%M") if posted else ""
        return f"""
  <article class="card" id="{did}" aria-labelledby="{did}-h" tabindex="-1">
    <h3 id="{did}-h">{escape(card.title)}</h3>
    <p class="meta">{escape(topic_title(card.topic))} \u00b7 posted {escape(when)}</p>
    {myth}
    {markdown(card.body)}
    <p class="public"><strong>Say to the public:</strong> {escape(card.say_to_public)}</p>
    <p class="source">Source: {escape(source.citation())}{_source_link(source.url, "link")}</p>
    <p class="progress" aria-live="polite">{escape(view.progress)}</p>
    {ack}
    {check}
  </article>"""

    async def stats_section(self, actor: Actor) -> str:
        """A line of progress and the way to the dashboard, where the figures are."""
        try:
            summary = progress_summary(await self.core.stats(actor, by="team"))
        except CoreError as exc:
            summary = str(exc)
        return f"""
<section aria-labelledby="stats-h">
  <h2 id="stats-h">Progress</h2>
  <p>{escape(summary)}</p>
  <p><a href="{DASHBOARD}">Open the dashboard</a>: figures by team, officer, topic and week, which topics each
  team has had, what officers ask, and a CSV of each table.</p>
</section>"""

    def help_section(self) -> str:
        """What shiftbrief does in a team's chat, from the same command table as Slack and Teams."""
        reply = self.core.help()
        items = "".join(
            f"<li><code>{escape(h.usage)}</code>: {escape(h.what)} ({escape(h.who)})</li>" for h in reply.help
        )
        return f"""
<section aria-labelledby="help-h">
  <details><summary id="help-h">What shiftbrief can do in Slack and Teams</summary>
  <p>In Slack type <code>/brief</code> and a command; in Teams mention shiftbrief, then the command.</p>
  <ul>{items}</ul>
  <p>{escape(reply.footer)}</p></details>
</section>"""


def _source_link(url: str, words: str) -> str:
    """A source's link after its citation; nothing when no link was confirmed (the citation stands alone)."""
    return f' <a href="{attr(url)}" rel="noopener noreferrer">{escape(words)}</a>' if url else ""


class _Flash(Exception):
    """A message for the person, shown at the top of the page."""


async def _form(request: web.Request) -> Mapping[str, str]:
    """The posted form's text fields, or a 400 if it is not a form the page could have sent: bytes that are
    not UTF-8, an unknown charset, a broken multipart body, a file, text that is not valid Unicode. A form
    too large is still aiohttp's 413."""
    try:
        posted = await request.post()
    except (ValueError, LookupError):  # UnicodeDecodeError is a ValueError
        raise _bad_form(request, "the form could not be read (expected UTF-8 form fields)") from None
    fields: dict[str, str] = {}
    for name, value in posted.items():
        if not isinstance(value, str):
            raise _bad_form(request, "the form has a file or binary part where text was expected")
        try:
            (name + value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, e.g. from a charset=utf-7 body
            raise _bad_form(request, "the form has text that is not valid Unicode") from None
        fields.setdefault(name, value)
    return fields


def _unicode_or_empty(text: str) -> str:
    """`text`, or "" if it cannot be written out (raw bytes in a cookie arrive as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ""
    return text


def _bad_form(request: web.Request, reason: str) -> web.HTTPBadRequest:
    """A 400 for a form the page could not have sent: one line for the person, one for the log."""
    log.warning("refused a workspace %s %r: %s", request.method, request.path[:200], reason)
    return web.HTTPBadRequest(text=f"Bad request: {reason}.\n")


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin != "null"
    return urlsplit(origin).netloc == request.host


def _document(body: str) -> str:
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shiftbrief \u2014 local workspace</title>
<link rel="stylesheet" href="/static/workspace.css">
<script src="/static/workspace.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<main id="main">
{body}
</main>
</body>
</html>"""
