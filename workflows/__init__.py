"""Workflows that chain the Vendor Center API's documented sequences.

Each workflow is a coroutine taking an open JumiaClient, plus a command
(`python -m workflows.<name>`) that runs it on the built-in sandbox when no
credentials are configured.
"""
