"""Asyncio client for the Jumia Vendor Center API."""
