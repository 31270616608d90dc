"""`dyads serve`: the REST API and the web dashboard over one event store.

Imported only by the serve command and its tests: FastAPI and uvicorn stay out of
`import dyads` and `dyads --help`.
"""
