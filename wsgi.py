"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``.

Each worker imports this module before it accepts a request, so it reads the search index here
(about 0.2 s at 100 000 items, more for segments a rebuild did not write) rather than on a visitor's
first search. It also starts computing
this year's reporting dashboards in the background (seconds each at 100 000 items).
"""

from portal import create_app, search
from portal.catalogue import reporting

app = create_app()
with app.app_context():
    search.warm()
    reporting.warm()
