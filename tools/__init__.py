"""Developer tools run from the project folder (`python -m tools.<name>`), never imported by the bot."""
