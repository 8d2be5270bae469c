"""`ghplan serve`: a local web page and a JSON API over the library, one warm process.

    from ghplan.writer.serve import create_app, serve
    app = create_app(token=None)          # an ASGI app (FastAPI)
    serve(host="127.0.0.1", port=8765)    # runs it on uvicorn until Ctrl-C

The app keeps the rule engine, the index handle and the query embedder warm (state.py); each
job has its own routes module. The server keeps no uploads: they are parsed in memory or in a
temporary file deleted before the answer is sent.
"""
from __future__ import annotations

from ghplan.writer.serve.app import create_app
from ghplan.writer.serve.run import serve

__all__ = ["create_app", "serve"]
