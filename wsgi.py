"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``.

Each worker imports this module before it accepts a request, so it reads the search index here:
at 100 000 items that takes a few seconds that no visitor should wait for. It also starts computing
this year's reporting dashboards in the background (seconds each at 100 000 items).
"""

from portal import create_app, search
from portal.catalogue import reporting

app = create_app()
with app.app_context():
    search.warm()
    reporting.warm()
