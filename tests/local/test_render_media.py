"""The workspace's line for a video or podcast: its kind, its title as the link, its length and a link named
"transcript"; everything escaped, links opened with rel="noopener noreferrer"."""

from __future__ import annotations

from bot.local.render import media_html
from content.model import Media


def test_a_video_is_its_title_linked_with_its_length_and_a_transcript_link() -> None:
    video = Media("video", "Hot spots policing", "https://example.org/v?a=1&b=2", 12, "https://example.org/t")
    assert media_html(video) == (
        '\u25b6 Video: <a href="https://example.org/v?a=1&amp;b=2" rel="noopener noreferrer">Hot spots policing</a>'
        ' (12 min) \u00b7 <a href="https://example.org/t" rel="noopener noreferrer">transcript</a>')


def test_a_podcast_title_is_escaped_and_has_no_transcript_link_when_there_is_none() -> None:
    shown = media_html(Media("podcast", "<script>alert(1)</script>", 'https://example.org/p"x', 45))
    assert shown == ('\U0001f3a7 Podcast: <a href="https://example.org/p&quot;x" rel="noopener noreferrer">'
                     "&lt;script&gt;alert(1)&lt;/script&gt;</a> (45 min)")
