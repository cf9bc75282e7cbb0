"""Build cards on disk: a valid one, and the ways coordinators break them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def card_fields(card_id: str = "fifteen-minutes-test", **overrides: Any) -> dict[str, Any]:
    """Front matter of a card that passes every check; override or drop (value None) any field."""
    fields: dict[str, Any] = {
        "id": card_id,
        "topic": "fifteen-minutes",
        "title": "Why about fifteen minutes?",
        "myth": "Fifteen minutes is a number someone pulled out of thin air.",
        "version": 1,
        "owner": "Hot spots training lead",
        "review_by": "2099-06-30",
        "sources": [{
            "authors": "Koper, C.S.",
            "year": 1995,
            "title": "Just enough police presence",
            "published_in": "Justice Quarterly 12(4): 649-672",
            "url": "https://example.org/koper-1995",
            "doi": "10.1080/07418829500096231",
        }],
        "check": {
            "question": "Roughly how long should a hot spot visit last?",
            "options": ["A drive-through is enough", "About 10 to 15 minutes", "An hour or more"],
            "answer": 2,
            "explanation": "Koper found 11-15 minutes was best.",
        },
        "also_asked": ["why 15 mins", "who decided 15 minutes", "isn't 15 minutes just made up"],
        "say_to_public": "We stop for a short while at places where trouble tends to happen.",
    }
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def write_card(folder: Path, fields: dict[str, Any], body: str = "Koper found about 15 minutes was best.",
               name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or fields['id']}.md"
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{front}---\n{body}\n", encoding="utf-8")
    return path

