"""`posjobs serve`: the project's pages over HTTP and a dashboard of its jobs and logs.

Only this package imports Starlette, Jinja2 and uvicorn.
"""
