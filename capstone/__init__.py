"""The capstone: a WebSocket chat on FastAPI (rooms, ordered delivery with catch-up, uploads).

Run it with `python -m capstone` (or `make run`); build an app with `capstone.main.create_app`.
"""
