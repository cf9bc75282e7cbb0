"""A card may list videos and podcasts: each a kind, a title, an https link, its length in whole minutes and,
where there is one, a transcript link. Anything else is refused naming the file and the field."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from content import ContentError, load_pack
from content.model import Media
from tests.content.conftest import card_fields, write_card

VIDEO: dict[str, Any] = {"kind": "video", "title": "Hot spots policing in ten minutes",
                         "url": "https://www.college.police.uk/video/hot-spots", "minutes": 12,
                         "transcript_url": "https://www.college.police.uk/video/hot-spots/transcript"}


def media_item(**changes: Any) -> dict[str, Any]:
    item = dict(VIDEO)
    for key, value in changes.items():
        if value is None:
            item.pop(key)
        else:
            item[key] = value
    return item


def refusal(folder: Path, media: object) -> tuple[str, str]:
    path = write_card(folder, card_fields(media=media))
    with pytest.raises(ContentError) as caught:
        load_pack(folder)
    [problem] = caught.value.problems
    assert problem.path == str(path)
    return problem.field, problem.reason


def test_a_card_without_media_has_none(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields())
    assert load_pack(tmp_path).cards[0].media == ()


def test_a_video_and_a_podcast_load_with_every_field(tmp_path: Path) -> None:
    podcast = media_item(kind="podcast", title="Policing Insight: fifteen minutes", minutes=45, transcript_url=None,
                         url="https://example.org/podcast/15")
    write_card(tmp_path, card_fields(media=[VIDEO, podcast]))
    video, audio = load_pack(tmp_path).cards[0].media
    assert video == Media("video", "Hot spots policing in ten minutes", "https://www.college.police.uk/video/hot-spots",
                          12, "https://www.college.police.uk/video/hot-spots/transcript")
    assert (audio.kind, audio.minutes, audio.transcript_url) == ("podcast", 45, "")
    assert (video.lead, video.length, audio.lead) == ("\u25b6 Video:", "12 min", "\U0001f3a7 Podcast:")


@pytest.mark.parametrize(("media", "field", "reason"), [
    ("https://example.org/v", "media", "must be a list"),
    ([VIDEO] * 6, "media", "at most 5"),
    (["https://example.org/v"], "media[1]", "must have kind, title, url and minutes"),
    ([media_item(kind="film")], "media[1].kind", "'film' is not a kind of media; expected one of video, podcast"),
    ([media_item(title=None)], "media[1].title", "is required"),
    ([media_item(title="  ")], "media[1].title", "must be non-empty text"),
    ([media_item(minutes=0)], "media[1].minutes", "whole minutes, 1 to 600"),
    ([media_item(minutes=601)], "media[1].minutes", "whole minutes, 1 to 600"),
    ([media_item(minutes=12.5)], "media[1].minutes", "whole minutes"),
    ([media_item(minutes="12")], "media[1].minutes", "whole minutes"),
    ([media_item(minutes=True)], "media[1].minutes", "whole minutes"),
    ([media_item(url="http://example.org/v")], "media[1].url", "must be an https link"),
    ([media_item(url="https://www.slideplayer.com/v")], "media[1].url", "mirror site"),
    ([media_item(url="https://example.org:80/v")], "media[1].url", "port 80"),
    ([media_item(url="https://example.org./v")], "media[1].url", "ends in a dot"),
    ([media_item(url="https://example.org/" + "v" * 800)], "media[1].url", "at most 800"),
    ([media_item(transcript_url="ftp://example.org/t")], "media[1].transcript_url", "not an http(s) link"),
    ([VIDEO, media_item(length=12)], "media[2].length", "unknown field; expected one of kind, title, url, minutes"),
])
def test_a_broken_media_entry_is_refused_naming_file_field_and_reason(
        tmp_path: Path, media: object, field: str, reason: str) -> None:
    got_field, got_reason = refusal(tmp_path, media)
    assert got_field == field and reason in got_reason, got_reason


# -- the media list is coordinators' YAML: whatever it holds, the loader takes it or names the field ---------
ANY_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 700), st.floats(allow_nan=False), st.text(max_size=30),
              st.sampled_from(["video", "podcast", "https://example.org/v", "http://example.org/v",
                               "https://studylib.net/x", "https://example.org:80/v"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ENTRIES = st.fixed_dictionaries({}, optional={
    "kind": st.one_of(st.sampled_from(["video", "podcast"]), ANY_VALUE),
    "title": st.one_of(st.text(max_size=220), ANY_VALUE),
    "url": st.one_of(st.sampled_from(["https://example.org/v", "https://ex.org/a b"]), ANY_VALUE),
    "minutes": st.one_of(st.integers(-5, 700), ANY_VALUE),
    "transcript_url": st.one_of(st.just("https://example.org/t"), ANY_VALUE),
    "colour": ANY_VALUE,
})


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=150)
@given(st.one_of(st.lists(st.one_of(ENTRIES, ANY_VALUE), max_size=6), ANY_VALUE))
@example([VIDEO])
@example([{"kind": "video", "title": "T", "url": "https://example.org/v", "minutes": 600}])
def test_any_media_value_is_taken_or_refused_naming_the_media_field(media: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_card(Path(folder), card_fields(media=media) if media is not None else card_fields())
        try:
            card = load_pack(Path(folder)).cards[0]
        except ContentError as refused:
            [problem] = refused.problems
            assert problem.field.startswith("media") and problem.reason
        else:
            for item in card.media:
                assert item.kind in ("video", "podcast") and 1 <= item.minutes <= 600
                assert item.url.startswith("https://") and item.title
                assert item.transcript_url == "" or item.transcript_url.startswith("https://")
