"""The Teams app package: manifest 1.17 (bot in team and personal scope) and two icons, as a zip.

The icons are drawn here with zlib and struct, so the package needs no image library.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core import COMMANDS
from bot.teams.commands import PREFIX

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
MANIFEST_SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
ACCENT = (0x1F, 0x4E, 0x79)  # a police blue
RGBA = tuple[int, int, int, int]


def is_app_id(value: str) -> bool:
    """A Microsoft App ID is a GUID such as 00000000-0000-0000-0000-000000000000."""
    return bool(GUID.match(value))


@dataclass(frozen=True)
class Publisher:
    """The force that publishes the app to its tenant: Teams shows its name and links its pages."""

    name: str
    website_url: str
    privacy_url: str
    terms_url: str


def manifest(app_id: str, publisher: Publisher, version: str = "1.0.0") -> dict[str, Any]:
    if not is_app_id(app_id):
        raise ValueError(f"{app_id!r} is not a Microsoft App ID (a GUID such as 00000000-0000-0000-0000-000000000000)")
    commands = [
        {"title": ("" if spec.bare else PREFIX) + spec.usage.split(" [")[0].split(" <")[0], "description": spec.what[:128]}
        for spec in COMMANDS.values()
    ]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": "1.17",
        "version": version,
        "id": app_id.lower(),
        "developer": {
            "name": publisher.name,
            "websiteUrl": publisher.website_url,
            "privacyUrl": publisher.privacy_url,
            "termsOfUseUrl": publisher.terms_url,
        },
        "name": {"short": "shiftbrief", "full": "shiftbrief: hot spots policing briefings"},
        "description": {
            "short": "Bite-sized hot spots policing briefings for your shift team.",
            "full": (
                "shiftbrief posts one short evidence-based briefing card to your team's channel before each shift. "
                "Officers acknowledge it and answer a one-question check; sergeants see who has read it and can "
                "nudge. Ask it anything about hot spots policing: it answers from the training cards, with the "
                "source, or says it does not know."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id.lower(),
                "scopes": ["team", "personal"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [{"scopes": ["team", "personal"], "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def build_package(app_id: str, publisher: Publisher, out: Path) -> Path:
    """Write manifest.json, color.png (192x192) and outline.png (32x32) into the zip at `out`."""
    data = json.dumps(manifest(app_id, publisher), indent=2, ensure_ascii=False)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", data)
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return out


def color_icon(size: int = 192) -> bytes:
    """A white map pin on the accent colour, full bleed (Teams adds its own rounding)."""
    background: RGBA = (*ACCENT, 255)
    return png(size, size, lambda x, y: (255, 255, 255, 255) if _pin(x, y, size) else background)


def outline_icon(size: int = 32) -> bytes:
    """The same pin in white on a transparent background, as Teams requires for the outline icon."""
    return png(size, size, lambda x, y: (255, 255, 255, 255) if _pin(x, y, size) else (0, 0, 0, 0))


def _pin(x: int, y: int, size: int) -> bool:
    """A map pin: a ring above a point, scaled to the icon (a hot spot on a map)."""
    cx, cy, r = size / 2, size * 0.40, size * 0.26
    dx, dy = x + 0.5 - cx, y + 0.5 - cy
    distance = (dx * dx + dy * dy) ** 0.5
    ring = r * 0.45 <= distance <= r
    tip_y = size * 0.86
    below = cy <= y + 0.5 <= tip_y
    half_width = r * (tip_y - (y + 0.5)) / (tip_y - cy) if below else 0.0
    point = below and abs(dx) <= half_width and distance > r * 0.45
    return ring or point


def png(width: int, height: int, pixel: Any) -> bytes:
    """An 8-bit RGBA PNG from a function of (x, y)."""
    rows = b"".join(
        b"\x00" + b"".join(struct.pack("4B", *pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
