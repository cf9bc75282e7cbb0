"""The content pack: cards (Markdown with YAML front matter), their validation and the search index.

A leaf package: it imports nothing of `bot/` or `scheduler/`.
"""

from content.load import load_pack
from content.model import Card, CheckQuestion, ContentError, Pack, Problem, Source
from content.topics import TOPICS, topic_title

__all__ = [
    "TOPICS", "Card", "CheckQuestion", "ContentError", "Pack", "Problem", "Source", "load_pack", "topic_title",
]
