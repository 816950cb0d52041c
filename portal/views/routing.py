"""URL converters for every blueprint."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1  # the largest id any database here can hold


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number past ``MAX_ID`` matches no route (404) instead of
    overflowing the database driver (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
