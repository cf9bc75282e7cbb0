"""A workspace form the page could not have sent is a 400 with one line saying why, logged once: never a
500, never a trace (review break B9: `choice=²`, a 5000-digit choice and a 30-digit question id gave 500).

The page's own forms send a choice of 1-3 digits (or none: Check pressed with nothing chosen, which the
page answers with a message) and question ids of digits. Then property tests: whatever form arrives at
whichever workspace route, the answer is below 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.app import build_app
from bot.config import Config, load_settings
from content.model import Pack
from tests.conftest import FakeClock, shared_index
from tests.records import answer_of, records

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def client(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock) -> AsyncIterator[TestClient]:
    settings = load_settings({"SHIFTBRIEF_DB": str(tmp_path / "ws.db"), "HOST": "127.0.0.1", "PORT": "0"})
    assembly = build_app(settings, config, pack, clock, index=shared_index(pack))
    async with TestClient(TestServer(assembly.web, host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def delivery(client: TestClient) -> str:
    """A card posted to Response Team A, with PC One (a member) acting."""
    await client.post("/identity", data={"person": "local:sgt-a"})
    html = await (await client.post("/teams/response-a/brief", data={"topic": ""})).text()
    [found] = list(dict.fromkeys(re.findall(r'id="(d-[0-9a-f]{16})"', html)))
    await client.post("/identity", data={"person": "local:pc-1"})
    return found


async def assert_bad_request(response_text: str, status: int, words: str, caplog: pytest.LogCaptureFixture) -> None:
    assert status == 400, response_text
    assert response_text.startswith("Bad request: ") and words in response_text and response_text.count("\n") == 1
    lines = [r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].exc_info is None


@pytest.mark.parametrize(
    "choice",
    ["\u00b2", "9" * 5000, "banana", "1.0", "-1", "+1", " 1", "\u0661", "1\n", "0x1", "1e2", "\uff11"],
    ids=["superscript-two", "5000-digits", "word", "decimal", "negative", "plus", "space", "arabic-indic-one",
         "newline", "hex", "exponent", "fullwidth-one"],
)
async def test_a_choice_the_page_could_not_send_is_400_and_nothing_is_recorded(
    client: TestClient, delivery: str, choice: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO)
    response = await client.post(f"/deliveries/{delivery}/check", data={"choice": choice}, allow_redirects=False)

    await assert_bad_request(await response.text(), response.status, "`choice`", caplog)
    assert "Set-Cookie" not in response.headers
    assert answer_of(records(tmp_path / "ws.db"), delivery, "local:pc-1") == (None, None)


async def test_no_choice_at_all_is_what_the_page_sends_and_is_answered_on_the_page(
    client: TestClient, delivery: str
) -> None:
    html = await (await client.post(f"/deliveries/{delivery}/check", data={})).text()
    assert "Choose one of the answers" in html


@pytest.mark.parametrize("qid", ["9" * 30, "9" * 13, "-1", "\u00b2", "1.5", "abc", "%ED%A0%80", "%FF"])
async def test_a_question_id_that_is_not_one_is_400(
    client: TestClient, delivery: str, qid: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    path = f"/questions/{qid if '%' in qid else quote(qid, safe='')}/feedback"
    response = await client.post(path, data={"helpful": "yes"}, allow_redirects=False)

    await assert_bad_request(await response.text(), response.status, "not a question id", caplog)


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"question=\xff\xfe", FORM, "could not be read"),
        (b"question=\xed\xa0\x80", FORM, "could not be read"),  # a surrogate encoded as UTF-8
        (b"question=+2ADYAA-", f"{FORM}; charset=utf-7", "not valid Unicode"),  # UTF-7 for a lone surrogate
        (b"question=hello", f"{FORM}; charset=no-such-charset", "could not be read"),
        (b"--x\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nhi\r\n--x--\r\n",
         "multipart/form-data; boundary=x", "could not be read"),
        (b"--x\r\nContent-Disposition: form-data; name=\"question\"; filename=\"q.txt\"\r\n\r\nhi\r\n--x--\r\n",
         "multipart/form-data; boundary=x", "file or binary part"),
        (b"--x\r\nContent-Disposition: form-data; name=\"question\"\r\nContent-Type: application/octet-stream\r\n\r\n"
         b"\x00\x01\r\n--x--\r\n", "multipart/form-data; boundary=x", "file or binary part"),
        (b"--x\r\nContent-Disposition: form-data; name=\"question\"\r\nContent-Type: text/plain; charset=bogus\r\n\r\n"
         b"hi\r\n--x--\r\n", "multipart/form-data; boundary=x", "could not be read"),
    ],
    ids=["latin-1-bytes", "utf-8-surrogate", "utf-7-surrogate", "unknown-charset", "multipart-without-name",
         "multipart-file", "multipart-binary", "multipart-bad-charset"],
)
async def test_odd_bytes_in_a_form_are_400(
    client: TestClient, delivery: str, body: bytes, content_type: str, words: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await client.post("/ask", data=body, headers={"Content-Type": content_type}, allow_redirects=False)

    await assert_bad_request(await response.text(), response.status, words, caplog)


async def test_raw_bytes_in_the_flash_cookie_do_not_break_the_page(client: TestClient) -> None:
    client.session.cookie_jar.clear()
    response = await client.get("/", headers={"Cookie": "sb_flash=caf\udce9".encode("utf-8", "surrogateescape").decode("latin-1")})
    assert response.status == 200


# -- property tests ------------------------------------------------------------------------------------
ROUTES = ["/identity", "/ask", "/questions/{x}/feedback", "/deliveries/{d}/acknowledge", "/deliveries/{d}/check",
          "/deliveries/{x}/check", "/teams/{x}/brief", "/teams/response-a/brief", "/teams/{x}/nudge"]
FIELDS = st.sampled_from(["person", "name", "question", "choice", "helpful", "topic"]) | st.text(max_size=8)
VALUES = (st.text(max_size=40) | st.from_regex(r"\A[0-9]{1,5000}\Z")
          | st.sampled_from(["1", "2", "yes", "no", "local:coord", "local:pc-1", "displacement", "\u00b2"]))
SEGMENTS = (  # a path segment as sent: any text percent-encoded (surrogates too), or raw percent-escaped bytes
    st.text(st.characters(codec=None, exclude_categories=()), min_size=1, max_size=30).map(
        lambda text: quote(text, safe="", errors="surrogatepass"))
    | st.binary(min_size=1, max_size=12).map(lambda raw: "".join(f"%{byte:02X}" for byte in raw))
)
PEOPLE = st.sampled_from(["local:coord", "local:sgt-a", "local:pc-1", "local:pc-3", "nobody", ""])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), segment=SEGMENTS, who=PEOPLE,
       form=st.dictionaries(FIELDS, VALUES, max_size=4))
async def test_any_form_to_any_workspace_route_gets_a_status_below_500(
    client: TestClient, delivery: str, route: str, segment: str, who: str, form: dict[str, str]
) -> None:
    path = route.format(x=segment, d=delivery)
    response = await client.post(path, data=urlencode(form).encode(), allow_redirects=False,
                                 headers={"Content-Type": FORM, "Cookie": f"sb_who={quote(who, safe='')}"})
    event(f"answered {response.status}")
    assert response.status < 500, (path, form, await response.text())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), body=st.binary(max_size=200),
       content_type=st.sampled_from([FORM, f"{FORM}; charset=utf-7", f"{FORM}; charset=utf-16", f"{FORM}; charset=x",
                                     "multipart/form-data; boundary=x", "multipart/form-data", "text/plain", ""]))
async def test_any_bytes_to_any_workspace_route_get_a_status_below_500(
    client: TestClient, delivery: str, route: str, body: bytes, content_type: str
) -> None:
    path = route.format(x="1", d=delivery)
    response = await client.post(path, data=body, headers={"Content-Type": content_type, "Cookie": "sb_who=local%3Apc-1"},
                                 allow_redirects=False)
    event(f"answered {response.status}")
    assert response.status < 500, (path, body, content_type, await response.text())


PAGES = ["/", "/?history={x}", "/identity", "/ask", "/teams", "/teams/{x}", "/teams/{x}/history",
         "/teams/response-a", "/teams/response-a/history"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(PAGES), segment=SEGMENTS, who=PEOPLE)
async def test_any_page_address_for_anyone_gets_a_status_below_500(
    client: TestClient, delivery: str, route: str, segment: str, who: str
) -> None:
    path = route.format(x=segment)
    response = await client.get(path, allow_redirects=False, headers={"Cookie": f"sb_who={quote(who, safe='')}"})
    event(f"answered {response.status}")
    assert response.status < 500, (path, who, await response.text())
