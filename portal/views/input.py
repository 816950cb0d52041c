"""What a request brings in, cleaned in one place before any view, form or service reads it.

- Text: query parameters and form fields lose their control characters (all but tab and line ends).
  PostgreSQL refuses NUL in a string, so ``?q=food%00drink`` was a 500 on PostgreSQL only; no other
  control character means anything in a form either. Path segments refuse them (``portal.views.routing``).
- Body size: a url-encoded form (or any body that is not a multipart upload) may be at most
  ``MAX_FORM_MEMORY_SIZE`` bytes; Werkzeug applies that limit to multipart fields only and would parse
  a url-encoded body up to the upload limit (20 MB) into memory.
"""

from flask import Request, current_app, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from portal.catalogue.filters import page_number
from portal.catalogue.parsing import without_control_characters
from portal.extensions import db


class CleanMultiDict(ImmutableMultiDict):
    """Request parameters whose text keys and values have no control characters (files stay as they are).

    ``as_sent`` keeps, for a key whose first value lost some, that value as it came: a limit promised
    on what is sent (the API's ``maxLength`` of ``q``) counts them too."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = ((key, value) for key, values in mapping.items()
                     for value in (values if isinstance(values, list | tuple) else [values]))
        else:
            pairs = mapping or ()
        cleaned, seen, self.as_sent = [], set(), {}
        for key, value in pairs:
            clean_key, clean_value = _clean(key), _clean(value)
            if clean_key not in seen:
                seen.add(clean_key)
                if clean_value != value:
                    self.as_sent[clean_key] = value
            cleaned.append((clean_key, clean_value))
        super().__init__(cleaned)


def _clean(value):
    return without_control_characters(value) if isinstance(value, str) else value


class PortalRequest(Request):
    """Flask's request with cleaned parameters and a body limit by kind of body."""

    parameter_storage_class = CleanMultiDict

    @property
    def max_content_length(self) -> int | None:
        limit = Request.max_content_length.fget(self)  # MAX_CONTENT_LENGTH: uploads and the fields beside them
        if self.mimetype == "multipart/form-data" or self._max_content_length is not None or not current_app:
            return limit
        text_limit = current_app.config["MAX_FORM_MEMORY_SIZE"]
        return min(limit, text_limit) if limit else text_limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def paginate(query, per_page: int):
    """A page of ``query`` numbered by the ``page`` parameter (bounded: a bad one is a 400, not an overflow)."""
    return db.paginate(query, page=page_number(request.args), per_page=per_page, error_out=False)
