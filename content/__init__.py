"""The content pack: cards (Markdown with YAML front matter), their validation and the search index.

A leaf package: it imports nothing of `bot/` or `scheduler/`.
"""

from typing import TYPE_CHECKING, Any

from content.model import Card, CheckQuestion, ContentError, Media, Pack, Problem, Source
from content.topics import TOPICS, topic_title

if TYPE_CHECKING:
    from content.load import load_pack


def __getattr__(name: str) -> Any:
    """`load_pack` is imported on first use: the YAML reader is not needed to report on what is stored."""
    if name == "load_pack":
        from content.load import load_pack

        return load_pack
    raise AttributeError(name)

__all__ = [
    "TOPICS", "Card", "CheckQuestion", "ContentError", "Media", "Pack", "Problem", "Source", "load_pack",
    "topic_title",
]
