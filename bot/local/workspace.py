"""The local workspace's routes: a page for each person, server-rendered, and plain HTML forms over the core.

`GET /` is the person's own page: an officer's cards still to do, then their record (bot/local/record.py);
a sergeant's team first, its latest card and who has and has not acknowledged it (bot/local/team.py); a
coordinator is sent on to the dashboard (bot/local/dashboard.py). Each page is short, older cards behind
one link (`/?history=all`, `/teams/<id>/history`). `GET /ask` and `GET /identity` are pages of their own.

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

from bot.config import PERSON_ID, SLUG, Team
from bot.core import MAX_QUESTION, AskResult, Command, Core, CoreError, Invocation, Role
from bot.core.roles import Actor
from bot.local.dashboard import add_routes as add_dashboard_routes
from bot.local.identity import LOCAL_ID, BadName, chooser_html, local_id, typed_name
from bot.local.layout import DASHBOARD, flash_html, flash_of, header, page, set_flash
from bot.local.record import record_sections
from bot.local.render import attr, markdown, media_html, source_html
from bot.local.team import history_section, team_path, team_section, teams_list
from content.topics import topic_title

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
WHO = "sb_who"
CHOICE = re.compile(r"^[0-9]{1,3}\Z")  # what the page's radio buttons send; the core checks the range
QUESTION_ID = re.compile(r"^[0-9]{1,12}\Z")


def add_routes(app: web.Application, core: Core) -> list[str]:
    """Add the workspace's routes; return their paths, for bot/app.py to keep them to this machine."""
    ws = Workspace(core)
    routes = [
        app.router.add_get("/", ws.home),
        app.router.add_get("/identity", ws.identity_page),
        app.router.add_post("/identity", ws.identity),
        app.router.add_get("/ask", ws.ask_page),
        app.router.add_post("/ask", ws.ask),
        app.router.add_post("/questions/{qid}/feedback", ws.feedback),
        app.router.add_post("/deliveries/{delivery}/acknowledge", ws.acknowledge),
        app.router.add_post("/deliveries/{delivery}/check", ws.check),
        app.router.add_get("/teams", ws.teams_page),
        app.router.add_get("/teams/{team}", ws.team_page),
        app.router.add_get("/teams/{team}/history", ws.history_page),
        app.router.add_post("/teams/{team}/brief", ws.brief),
        app.router.add_post("/teams/{team}/nudge", ws.nudge),
    ]
    paths = list(dict.fromkeys(route.resource.canonical for route in routes if route.resource is not None))
    paths += add_dashboard_routes(app, core, ws.actor)
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
        """Act as someone configured (`person`), or join as an officer by typing a name (`name`)."""
        form = await _form(request)
        if not _same_origin(request):
            return self.redirect("That form came from another site, so it was ignored.")
        chosen = form.get("person", "")
        known = self.core.known_people()
        if form.get("name", "").strip():
            try:
                name = typed_name(form["name"])
            except BadName as exc:
                return self.redirect(str(exc), to="/identity")
            chosen = local_id(name)
            if chosen in known:
                return self.redirect(f"{name} is already in the list as {await self.core.name_of(chosen)}: choose "
                                     "them under Act as, or type a fuller name.", to="/identity")
            try:
                await self.core.save_name(chosen, name)
            except CoreError as exc:
                return self.redirect(str(exc), to="/identity")
        elif chosen not in known and not LOCAL_ID.match(chosen):
            return self.redirect("Choose someone from the list, or type a name to join as an officer.", to="/identity")
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
        form = await _form(request)
        team_id = request.match_info["team"]
        back = _back(form, team_id)
        topic = form.get("topic", "")
        command = Command("now", (topic,) if topic else (), team_id=team_id)
        try:
            reply = await self.core.run(self.invocation(await self.require_actor(request)), command)
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc), to=back)
        return self.redirect(reply.plain(), to=back, anchor=reply.posted.delivery.id if reply.posted else "")

    async def nudge(self, request: web.Request) -> web.StreamResponse:
        team_id = request.match_info["team"]
        back = _back(await _form(request), team_id)
        command = Command("nudge", team_id=team_id)
        try:
            reply = await self.core.run(self.invocation(await self.require_actor(request)), command)
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc), to=back)
        return self.redirect(reply.plain(), to=back)

    async def ask(self, request: web.Request) -> web.StreamResponse:
        question = (await _form(request)).get("question", "")
        try:
            actor = await self.require_actor(request)
            reply = await self.core.run(self.invocation(actor), Command("ask", text=question))
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc), to="/ask")
        return await self.ask_page(request, answer=reply.answer)

    async def feedback(self, request: web.Request) -> web.StreamResponse:
        question_id = request.match_info["qid"]
        if not QUESTION_ID.match(question_id):
            raise _bad_form(request, "that is not a question id")
        helpful = (await _form(request)).get("helpful") == "yes"
        try:
            actor = await self.require_actor(request)
            message = await self.core.rate_answer(actor, question_id, helpful)
        except (CoreError, _Flash) as exc:
            return self.redirect(str(exc), to="/ask")
        return self.redirect(message, to="/ask")

    def redirect(self, message: str, to: str = "/", anchor: str = "") -> web.StreamResponse:
        """Back to a page of the workspace (`to`, one of its own paths) with a message shown at its top."""
        fragment = quote(anchor, safe="-", errors="replace")  # a delivery id from the path may be anything
        response = web.Response(status=303, headers={"Location": to + (f"#{fragment}" if fragment else "")})
        set_flash(response, message)
        return response

    # -- the pages ----------------------------------------------------------------------------
    async def home(self, request: web.Request) -> web.StreamResponse:
        """This person's own page: what they need first (see the module's docstring)."""
        actor = await self.actor(request)
        flash = flash_of(request)
        if actor is None:
            body = f"""{header(self.core, None, "/")}
{flash_html(flash)}
<section aria-labelledby="intro-h">
  <h1 id="intro-h">Hot spots policing briefings, where your shift already is</h1>
  <p>This page stands in for a team's Slack or Teams channel. Choose a sergeant to post a briefing card,
  then an officer to acknowledge it and answer its check question. Anyone can ask a question.</p>
  {await self.chooser(None)}
</section>"""
            return page("Local workspace", body, flashed=bool(flash))
        role = self.core.role(actor)
        if role is Role.COORDINATOR:
            raise web.HTTPSeeOther(DASHBOARD)  # the flash, if any, waits for the dashboard
        everything = request.query.get("history") == "all"
        parts = [header(self.core, actor, "/"), flash_html(flash)]
        if role is Role.SERGEANT:
            parts.append(await self.teams_html(actor, self.core.teams_led_by(actor)))
            if await self.core.my_record(actor):  # a sergeant on a sergeants' track has cards of their own
                parts.append(await record_sections(self.core, actor, everything))
        else:
            parts.append("<h1>Your briefings</h1>")
            parts.append(await record_sections(self.core, actor, everything))
        parts += [self.ask_form(), self.help_section()]
        return page(actor.name, "\n".join(parts), flashed=bool(flash))

    async def teams_html(self, actor: Actor, teams: list[Team]) -> str:
        if len(teams) == 1:
            return await team_section(self.core, actor, teams[0], level=1, back="/")
        sections = [await team_section(self.core, actor, team, level=2, back="/") for team in teams]
        return "<h1>Your teams</h1>\n" + "\n".join(sections)

    async def identity_page(self, request: web.Request) -> web.StreamResponse:
        actor = await self.actor(request)
        flash = flash_of(request)
        body = f"""{header(self.core, actor, "/identity")}
{flash_html(flash)}
<h1>Who are you?</h1>
<p>Choose someone from the configuration, or type your name to join as an officer. This page is only for
trying shiftbrief on this machine: in Slack or Teams you are who you signed in as.</p>
{await self.chooser(actor)}"""
        return page("Who are you?", body, flashed=bool(flash))

    async def chooser(self, actor: Actor | None) -> str:
        people = [(pid, await self.core.name_of(pid), self.core.role(Actor(pid)).value)
                  for pid in self.core.known_people()]
        if actor is not None and actor.id not in {pid for pid, _name, _role in people}:
            people.append((actor.id, actor.name, self.core.role(actor).value))  # joined by name: stays themselves
        return chooser_html(people, actor.id if actor else None)

    async def ask_page(self, request: web.Request, answer: AskResult | None = None) -> web.StreamResponse:
        """The question box and, after asking, the answer. A reload or a typed address (GET) shows the page."""
        actor = await self.actor(request)
        if actor is None:
            return self.redirect("Choose who you are first, then ask your question.")
        flash = flash_of(request)
        body = "\n".join([header(self.core, actor, "/ask"), flash_html(flash), "<h1>Ask a question</h1>",
                          self.ask_form(heading=False), self.answer_html(answer), self.help_section()])
        return page("Ask a question", body, flashed=bool(flash))

    async def teams_page(self, request: web.Request) -> web.StreamResponse:
        actor = await self.actor(request)
        if actor is None:
            return self.redirect("Choose who you are first.")
        led = self.core.teams_led_by(actor)
        if not led:
            return self.refusal(request, actor, "Team pages are for sergeants and coordinators. Your own cards are on your page.")
        flash = flash_of(request)
        body = f"""{header(self.core, actor, "/teams")}
{flash_html(flash)}
<h1>Teams</h1>
<p>Each team's latest card and how many of its officers have acknowledged it. Open a team to see who has not,
nudge them or post a card.</p>
{await teams_list(self.core, led)}"""
        return page("Teams", body, flashed=bool(flash))

    async def team_page(self, request: web.Request) -> web.StreamResponse:
        found = await self.team_of(request)
        if isinstance(found, web.StreamResponse):
            return found
        actor, team = found
        flash = flash_of(request)
        body = "\n".join([header(self.core, actor, team_path(team)), flash_html(flash),
                          await team_section(self.core, actor, team, level=1, back=team_path(team))])
        return page(team.name, body, flashed=bool(flash))

    async def history_page(self, request: web.Request) -> web.StreamResponse:
        found = await self.team_of(request)
        if isinstance(found, web.StreamResponse):
            return found
        actor, team = found
        body = "\n".join([header(self.core, actor, ""), await history_section(self.core, team)])
        return page(f"{team.name}: every card", body)

    async def team_of(self, request: web.Request) -> tuple[Actor, Team] | web.StreamResponse:
        """The person and the team a team page is for, or the page to show instead: choose who you are first,
        no such team, or not a team this person leads."""
        actor = await self.actor(request)
        if actor is None:
            return self.redirect("Choose who you are first.")
        try:
            team = self.core.team(request.match_info["team"])
        except CoreError as exc:
            return self.refusal(request, actor, str(exc), status=404)
        if team not in self.core.teams_led_by(actor):
            return self.refusal(request, actor, f"{team.name}'s page is for its sergeants and the coordinators. "
                                       "Your own cards are on your page.")
        return actor, team

    def refusal(self, request: web.Request, actor: Actor, message: str, status: int = 403) -> web.Response:
        """A page this person may not see, saying why, with the message of a form that led here."""
        flash = flash_of(request)
        body = f"""{header(self.core, actor, "")}
{flash_html(flash)}
<h1>Not shown</h1>
<p class="flash" role="alert">{escape(message)}</p>
<p><a href="/">Back to your page</a></p>"""
        return page("Not shown", body, status=status, flashed=bool(flash))

    # -- parts of pages -------------------------------------------------------------------------
    def ask_form(self, heading: bool = True) -> str:
        title = '<h2 id="ask-h">Ask a question</h2>' if heading else ""
        return f"""<section id="ask" aria-label="Ask a question">
  {title}
  <form method="post" action="/ask" class="ask">
    <label for="question">Your question, in your own words</label>
    <input id="question" name="question" type="text" maxlength="{MAX_QUESTION}" required>
    <button type="submit">Ask</button>
  </form>
</section>"""

    def answer_html(self, asked: AskResult | None) -> str:
        if asked is None:
            return ""
        found, qid = asked.answer, asked.question_id
        if not (found.answered and found.card is not None):
            return f"""<article class="answer unknown" tabindex="-1" id="answer" aria-labelledby="answer-h">
  <h2 id="answer-h">I don't know</h2>
  <p class="asked">You asked: \u201c{escape(found.query)}\u201d</p>
  <p>{escape(asked.message)}</p>
</article>"""
        card = found.card
        sources = "".join(f"<li>{source_html(s)}</li>" for s in card.sources)
        media = "".join(f"<li>{media_html(m)}</li>" for m in card.media)
        return f"""<article class="answer" aria-labelledby="answer-h" tabindex="-1" id="answer">
  <h2 id="answer-h">{escape(card.title)}</h2>
  <p class="asked">You asked: \u201c{escape(found.query)}\u201d \u00b7 {escape(topic_title(card.topic))}</p>
  {markdown(card.body)}
  <h3>Source{"s" if len(card.sources) != 1 else ""}</h3><ul class="sources">{sources}</ul>
  {f'<ul class="media">{media}</ul>' if media else ""}
  <form method="post" action="/questions/{attr(qid)}/feedback" class="inline">
    <span>Was this helpful?</span>
    <button name="helpful" value="yes">Helpful</button>
    <button name="helpful" value="no">Not helpful</button>
  </form>
</article>"""

    def help_section(self) -> str:
        """What shiftbrief does in a team's chat, from the same command table as Slack and Teams."""
        reply = self.core.help()
        items = "".join(
            f"<li><code>{escape(h.usage)}</code>: {escape(h.what)} ({escape(h.who)})</li>" for h in reply.help
        )
        return f"""<section aria-label="Help">
  <details><summary id="help-h">What shiftbrief can do in Slack and Teams</summary>
  <p>In Slack type <code>/brief</code> and a command; in Teams mention shiftbrief, then the command.</p>
  <ul>{items}</ul>
  <p>{escape(reply.footer)}</p></details>
</section>"""


def _back(form: Mapping[str, str], team_id: str) -> str:
    """Where a team form goes back to: the person's own page if it came from there (`back` is "/"), else the
    team's page; never anywhere else."""
    if form.get("back") == "/" or not SLUG.match(team_id):
        return "/"
    return f"/teams/{team_id}"


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


def _bad_form(request: web.Request, reason: str) -> web.HTTPBadRequest:
    """A 400 for a form the page could not have sent: one line for the person, one for the log."""
    log.warning("refused a workspace %s %r: %s", request.method, request.path[:200], reason)
    return web.HTTPBadRequest(text=f"Bad request: {reason}.\n")


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin != "null"
    return urlsplit(origin).netloc == request.host
