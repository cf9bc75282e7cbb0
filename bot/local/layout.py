"""What every workspace page shares: the document around it, the header with the way to each page for this
person, the message left by the last form (the flash) and the response headers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote, unquote

from aiohttp import web

from bot.core import Core, Role
from bot.core.roles import Actor

FLASH = "sb_flash"
DASHBOARD = "/dashboard"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def nav_links(core: Core, actor: Actor) -> list[tuple[str, str]]:
    """(path, words) of the pages this person has, their own first: an officer their briefings, a sergeant
    their team, a coordinator the dashboard and the teams."""
    role = core.role(actor)
    if role is Role.COORDINATOR:
        links = [(DASHBOARD, "Dashboard"), ("/teams", "Teams")]
    elif role is Role.SERGEANT:
        led = core.teams_led_by(actor)
        links = [("/", "My team" if len(led) == 1 else "My teams"), (DASHBOARD, "Dashboard")]
    else:
        links = [("/", "My briefings")]
    return [*links, ("/ask", "Ask a question")]


def header(core: Core, actor: Actor | None, here: str, brand: str = "local workspace") -> str:
    """The top of every page: whose page it is, the way to each of their pages and to switch person."""
    if actor is None:
        return f"""<header class="top">
  <p class="brand">shiftbrief <span>{escape(brand)}</span></p>
</header>"""
    current = ' aria-current="page"'
    items = "".join(f'<li><a href="{path}"{current if path == here else ""}>{escape(words)}</a></li>'
                    for path, words in nav_links(core, actor))
    return f"""<header class="top">
  <p class="brand">shiftbrief <span>{escape(brand)}</span></p>
  <nav aria-label="Your pages"><ul class="nav">{items}</ul></nav>
  <p class="whoami">You are <strong>{escape(actor.name)}</strong> ({core.role(actor).value}).
  <a href="/identity">Switch person</a></p>
</header>"""


def flash_of(request: web.Request) -> str:
    """The message the last form left for this page, or "" (raw bytes in a cookie arrive as lone surrogates)."""
    text = unquote(request.cookies.get(FLASH, ""))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ""
    return text


def flash_html(message: str) -> str:
    if message:
        return f'<p class="flash" role="status" id="flash" tabindex="-1">{escape(message)}</p>'
    return '<p class="flash" role="status" id="flash" hidden></p>'


def set_flash(response: web.StreamResponse, message: str) -> None:
    response.set_cookie(FLASH, quote(message[:400], safe=""), httponly=True, samesite="Strict", path="/")


def page(title: str, body: str, *, status: int = 200, flashed: bool = False, main_class: str = "",
         stylesheets: Sequence[str] = ("workspace.css",)) -> web.Response:
    """A whole page as a response, with the workspace's headers; the flash cookie is cleared once shown."""
    response = web.Response(status=status, text=document(title, body, main_class=main_class, stylesheets=stylesheets),
                            content_type="text/html", charset="utf-8", headers=HEADERS)
    if flashed:
        response.del_cookie(FLASH, path="/")
    return response


def document(title: str, body: str, *, main_class: str = "", stylesheets: Sequence[str] = ("workspace.css",)) -> str:
    links = "\n".join(f'<link rel="stylesheet" href="/static/{name}">' for name in stylesheets)
    main = f' class="{main_class}"' if main_class else ""
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} \u2014 shiftbrief</title>
{links}
<script src="/static/workspace.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<main id="main"{main}>
{body}
</main>
</body>
</html>"""
