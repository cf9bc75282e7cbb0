"""The clock side: rotas -> shift starts -> nudge times, which card comes next, and the job runner.

Imports `content/` only, never `bot/`; it posts through a callback the core hands it.
"""
