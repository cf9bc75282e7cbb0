"""Microsoft Teams: the Bot Framework endpoint, Adaptive Card rendering and proactive posting.

Parsing and rendering only; every decision about officers, cards and roles is the core's. Every
`botbuilder` / `botframework` import in the project lives in this package (botbuilder-python was
archived in January 2026), so a move to the Microsoft 365 Agents SDK touches nothing else.
`card`, `commands` and `package` import no botbuilder at all.
"""
