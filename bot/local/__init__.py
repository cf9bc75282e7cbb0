"""The local workspace: a web page on loopback where anyone can act as any configured person.

Parsing and rendering only; every decision is the core's.
"""
