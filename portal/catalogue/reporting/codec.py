"""Reporting figures as plain JSON, and back: how ``refresh`` stores them in the database.

A dataclass is the list of its fields' values in order (``NOT_KEPT`` fields aside: they get their
defaults when read, and whoever reads the figures sets them), a dict is a list of (key, value) pairs,
a date or a moment is its ISO text. The text of a ``REPEATED`` field (a country code, an organisation
type: a few values over thousands of rows) is read as one shared string per value. Nothing but these
types: no pickle, so what the database holds is data, never code. ``layout(cls)`` is a digest of the
fields and their types all the way down, stored beside the figures: figures written by a release with
other fields are never read as if they had this one's (they count as missing, and are computed again).
"""

import gc
import hashlib
import json
import sys
import types
from collections.abc import Callable
from dataclasses import MISSING, Field, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

NOT_KEPT = {"kept": False}  # ``field(metadata=NOT_KEPT)``: not stored; its default when read
REPEATED = {"repeated": True}  # ``field(metadata=REPEATED)``: a str (or None) that many rows share


def _kept(cls: type) -> list[Field]:
    return [field for field in fields(cls) if field.metadata.get("kept", True)]


def dumps(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def loads(cls: type, text: str) -> Any:
    """The figures in ``text``. The garbage collector waits meanwhile: the objects made all stay, and the
    full collections their number triggers cost more than the decoding (the network's figures, 10 000
    partner rows, first decoded in 0.19 s with them and 0.07 s without, in a process holding the search
    index of 100 000 items; 0.03 s once warm)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _decoder(cls)(json.loads(text))
    finally:
        if collecting:
            gc.enable()


PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if type(value) in PLAIN:
        return value
    if is_dataclass(value):
        return [_plain(getattr(value, name)) for name in _names(type(value))]
    if isinstance(value, list | tuple):
        return [_plain(entry) for entry in value]
    if isinstance(value, dict):
        return [[_plain(key), _plain(entry)] for key, entry in value.items()]
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    raise TypeError(f"Reporting figures hold no {type(value).__name__}")


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in _kept(cls))


def _optional(hint) -> Any:
    """``X`` for ``X | None``, else None."""
    if get_origin(hint) in (Union, types.UnionType):
        others = [arg for arg in get_args(hint) if arg is not type(None)]
        if len(others) == 1:
            return others[0]
    return None


@cache
def _decoder(hint) -> Callable[[Any], Any] | None:
    """What turns the JSON of ``hint`` back into it; None where JSON already gives it (str, int, ...)."""
    if hint in (str, int, float, bool, type(None)):
        return None
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if is_dataclass(hint):
        return _dataclass_decoder(hint)
    inner = _optional(hint)
    if inner is not None:
        decode = _decoder(inner)
        return None if decode is None else (lambda value: None if value is None else decode(value))
    origin, args = get_origin(hint), get_args(hint)
    if origin is list:
        decode = _decoder(args[0])
        return None if decode is None else (lambda value: [decode(entry) for entry in value])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        decode = _decoder(args[0])
        return tuple if decode is None else (lambda value: tuple(decode(entry) for entry in value))
    if origin is dict:
        key, entry = (_decoder(arg) or (lambda value: value) for arg in args)
        return lambda pairs: {key(k): entry(v) for k, v in pairs}
    raise TypeError(f"Reporting figures hold no {hint}")


def _dataclass_decoder(cls: type) -> Callable[[list], Any]:
    """Fills a new instance's fields without calling ``__init__`` (the figures were made by it), which
    frozen dataclasses make slow: a network's 10 000 partner rows decode in a third of the time. An
    instance with ``__slots__`` (a row there are thousands of: no ``__dict__``, half the memory) gets
    its fields through their slots."""
    kept, hints = _kept(cls), get_type_hints(cls)
    names = [field.name for field in kept]
    defaults = {field.name: field.default for field in fields(cls) if field not in kept}
    if MISSING in defaults.values():
        raise TypeError(f"{cls.__name__}: fields that are not kept need a default")
    decoders = [(index, decode) for index, field in enumerate(kept) if (decode := _decoder(hints[field.name]))]
    decoders += [(index, _shared) for index, field in enumerate(kept) if field.metadata.get("repeated")]
    new = object.__new__
    if hasattr(cls, "__slots__"):
        slots = [getattr(cls, name).__set__ for name in (*names, *defaults)]
        default_values = list(defaults.values())

        def decode_slots(values: list) -> Any:
            for index, decode_one in decoders:
                values[index] = decode_one(values[index])
            made = new(cls)
            for fill, value in zip(slots, values + default_values, strict=True):
                fill(made, value)
            return made

        return decode_slots

    def decode(values: list) -> Any:
        for index, decode_one in decoders:
            values[index] = decode_one(values[index])
        made = new(cls)
        attributes = made.__dict__
        attributes.update(zip(names, values, strict=True))
        if defaults:
            attributes.update(defaults)
        return made

    return decode


def _shared(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)


@cache
def layout(cls: type) -> str:
    """A digest of ``cls``'s kept fields and their types, all the way down."""
    return hashlib.blake2b(_describe(cls).encode(), digest_size=8).hexdigest()


def _describe(hint) -> str:
    if is_dataclass(hint):
        hints = get_type_hints(hint)
        return f"{hint.__name__}({','.join(f'{f.name}:{_describe(hints[f.name])}' for f in _kept(hint))})"
    if get_args(hint):
        return f"{getattr(get_origin(hint), '__name__', 'union')}[{','.join(map(_describe, get_args(hint)))}]"
    return getattr(hint, "__name__", repr(hint))
