"""Operations that combine storage and connectors: sync, health, the action runner, demo.

Screens and CLI commands call these; they never touch the UI. Network calls are
async (httpx); database calls are sync and run in a thread (``asyncio.to_thread``)
so that nothing blocks the UI's event loop.
"""
