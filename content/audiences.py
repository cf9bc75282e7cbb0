"""The three audiences a card is written for, each its own track in curriculum order (issue 12)."""

from __future__ import annotations

AUDIENCES: dict[str, str] = {
    "officers": "Officers and PCSOs",
    "sergeants": "Sergeants",
    "leaders": "Inspectors to superintendents",
}
DEFAULT_AUDIENCE = "officers"


def audience_title(audience: str) -> str:
    return AUDIENCES.get(audience, audience)
