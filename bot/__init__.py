"""shiftbrief's bot: the platform-neutral core, its storage, and the platform adapters.

`bot/` imports `content/` and `scheduler/`; neither of those may import `bot/`.
Inside `bot/`, only `bot/store/` touches SQL, and only `bot/teams/` imports botbuilder.
"""
