"""`fichas serve`: a local web page over the search index (search, documents, series).

Starlette + Jinja2 (`nlp.web.app.create_app`), read-only, GET only. Imported only
by the `serve` command, so the rest of the package does not need the web extras.
"""
