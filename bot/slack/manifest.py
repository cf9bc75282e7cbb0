"""The Slack app manifest a force's Slack admin pastes into https://api.slack.com/apps (Socket Mode on)."""

from __future__ import annotations

from typing import Any

from bot.core import COMMANDS
from bot.slack.reply import COMMAND

# Each scope, and why the bot needs it (docs/slack.md repeats this for the admin).
BOT_SCOPES: dict[str, str] = {
    "app_mentions:read": "hear questions when someone @mentions the bot",
    "channels:history": "find a card it posted before a crash, so it is never posted twice (public channels)",
    "groups:history": "the same, in private team channels",
    "channels:read": "list a team channel's members: who should acknowledge, and whose clicks count (public channels)",
    "groups:read": "the same, in private team channels",
    "chat:write": "post cards, update 'Acknowledged by', send private confirmations",
    "commands": "the /brief command",
    "im:history": "read questions sent to it by direct message",
    "im:read": "know a direct message conversation is one",
    "im:write": "open a direct message for a sergeant's nudge",
    "users:read": "officers' display names, and to leave bots out of 'N of M'",
}
# member_joined_channel and member_left_channel (scopes channels:read, groups:read) keep the membership the bot
# checks before counting a click up to date.
BOT_EVENTS = ["app_home_opened", "app_mention", "member_joined_channel", "member_left_channel", "message.im"]


def build_manifest(name: str = "shiftbrief") -> dict[str, Any]:
    """A manifest (major version 1) with Socket Mode, /brief, interactivity, the events and App Home."""
    display = name.strip()[:35] or "shiftbrief"
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": display,
            "description": "Hot spots policing briefings for shift teams: read, acknowledge, check, ask.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True, "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": display, "always_online": True},
            "slash_commands": [
                {
                    "command": COMMAND,
                    "description": "Briefings: " + ", ".join(spec.usage for spec in COMMANDS.values()),
                    "usage_hint": " | ".join(spec.usage for spec in COMMANDS.values()),
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": sorted(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": BOT_EVENTS},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": True,
            "token_rotation_enabled": False,
        },
    }
