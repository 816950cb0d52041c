"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``.

Each worker imports this module before it accepts a request, so it reads the search index here
(about 0.2 s at 100 000 items, more for segments a rebuild did not write) rather than on a visitor's
first search. It also brings this year's reporting figures up to date in the background (seconds
each at 100 000 items, computed by one worker and read from the database by the others).

Then it freezes what it holds (``gc.freeze``): the index's columns and the code stay for the worker's
life, so the garbage collector's full collections need not walk them again (each took about 80 ms at
100 000 items and fell on about one ``/desk/`` request in five).
"""

import gc

from portal import create_app, search
from portal.catalogue import reporting

app = create_app()
with app.app_context():
    search.warm()
    reporting.warm()
gc.collect()  # what boot left as garbage would otherwise stay for good
gc.freeze()
