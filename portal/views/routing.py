"""URL converters for every blueprint."""

from werkzeug.routing import IntegerConverter, UnicodeConverter

from portal.catalogue.parsing import CONTROL_CHARACTERS, MAX_ID


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits up to ``MAX_ID`` (the id columns' type). A larger
    number matches no route (404) instead of overflowing the database (500)."""

    regex = f"[0-9]{{1,{len(str(MAX_ID))}}}"

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """``<name>`` in every route: a path segment without control characters (PostgreSQL refuses NUL)."""

    def __init__(self, url_map, minlength=1, maxlength=None, length=None):
        super().__init__(url_map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", f"[^/{CONTROL_CHARACTERS}]")


def install(app) -> None:
    """Use these converters for every route added after this call."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
