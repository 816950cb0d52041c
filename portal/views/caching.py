"""HTTP caching of what the public sees: validators that let browsers and proxies reuse a page, never a
stale copy of it.

Every answer to an anonymous GET that says nothing about its own caching gets ``Cache-Control:
no-cache`` (a browser or proxy may keep it, but asks again before each use), a weak ETag, and ``Vary:
Cookie, Accept-Language`` (signing in and the language change the page; Flask-Compress adds
``Accept-Encoding``). A request whose ``If-None-Match`` names the page's current tag gets an empty 304.
Signed-in visitors' pages stay ``no-store`` (``portal.security``) and are left alone here, and so is
an anonymous page with a flashed message waiting to be shown.

Two kinds of tag:

- pages made from the search index and the vocabularies alone (``by_index``: search, the API's list,
  the feed, the home and SDG pages) are tagged, before anything is computed, with the index
  generation, the day of the visibility rule, the interface language and the release: a matching
  request costs neither a search nor a template. Each process also keeps the bodies of such pages by
  tag and URL (``PageCache``, ``PAGE_CACHE_MB``), so that the next visitor asking for the same page
  under the same tag gets it without a search or a template either. The generation moves with every change the index
  applies (a rejection, a withdrawal, a hiding) and the rule's day at midnight (an item lapsing), so
  the tag of a page that would now show fewer items is a new tag;
- programme pages (and their pitch) also show what desks write (highlights, key messages, links
  between items) and reporting's counts: their tag adds reporting's ``data_version``, which moves with
  every audit event (each of those writes records one), so they are kept and answered like the first kind;
- every other public answer is tagged with a digest of its body once rendered: it saves the transfer,
  and can never be stale since it is the page as it is now.

Compression (Flask-Compress: zstd, Brotli or gzip, as the browser accepts) applies to what anonymous
visitors get. A signed-in visitor's pages carry a CSRF token and echo what was typed into them, which
a compressed answer's length could leak (BREACH): those go uncompressed. Files (static ones, the
favicon, downloads) and other streamed answers are left to the proxy in front (Flask-Compress streams
a file through its compressor without closing it), and browsers keep them anyway.

No ``Last-Modified``: several generations may fall within one second, so a date could call a page
unchanged that did change; the ETag is exact.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path

from flask import Flask, Response, current_app, make_response, request, session
from flask_login import current_user

from portal import search
from portal.catalogue.reporting.refresh import answered_from_stale_figures
from portal.catalogue.visibility import public_rule
from portal.extensions import compress
from portal.i18n import current_language

VARY = ("Cookie", "Accept-Language")
COMPRESSED = ("text/html", "text/css", "text/plain", "text/xml", "text/csv", "text/turtle", "text/javascript",
              "application/javascript", "application/json", "application/ld+json", "application/xml",
              "application/atom+xml", "image/svg+xml", "image/vnd.microsoft.icon")


def _cacheable() -> bool:
    """An anonymous visitor's GET with no flashed message pending."""
    return (
        request.method in ("GET", "HEAD")
        and request.endpoint != "static"
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def index_tag(*also) -> str:
    """The tag of a page made from search alone (and from ``also``), as it would be rendered now."""
    parts = (search.generation(), public_rule().updated_since.isoformat(), current_language(),
             current_app.config["RELEASE"], *map(str, also))
    return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def by_index(view: Callable | None = None, *, also: Callable[[], tuple] = tuple) -> Callable:
    """``view``, answered with an empty 304 when the visitor's copy carries the current ``index_tag``,
    and from this process's page cache when another visitor asked for the same URL under the same tag.

    ``also`` gives what else the page is made from, read on each request and part of the tag
    (``@by_index(also=data_version)``: the database's changes as reporting counts them).
    """
    if view is None:
        return partial(by_index, also=also)

    @wraps(view)
    def conditional_view(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        tag = index_tag(*also())
        if request.if_none_match.contains_weak(tag):
            response = Response(status=304)
        else:
            response = _rendered(tag, lambda: make_response(view(*args, **kwargs)))
        if response.status_code in (200, 304) and not answered_from_stale_figures():
            response.set_etag(tag, weak=True)
        return response

    return conditional_view


class PageCache:
    """Bodies of ``by_index`` pages as anonymous visitors get them, by (tag, URL with its query), the
    most recently used first, at most ``PAGE_CACHE_BYTES``. A new tag (a change reaching the index,
    midnight, another language) is a new key: an entry can only ever be served for the tag it was
    rendered under, so it never shows an item that has left public view."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.pages: OrderedDict[tuple[str, str], tuple[bytes, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[bytes, str] | None:
        with self.lock:
            found = self.pages.get(key)
            if found is not None:
                self.pages.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], body: bytes, content_type: str) -> None:
        with self.lock:
            if key in self.pages or len(body) > self.limit // 8:
                return
            self.pages[key] = (body, content_type)
            self.size += len(body)
            while self.size > self.limit:
                _, (old, _type) = self.pages.popitem(last=False)
                self.size -= len(old)


def _rendered(tag: str, render: Callable[[], Response]) -> Response:
    pages: PageCache = current_app.extensions["portal.pages"]
    key = (tag, request.full_path)
    found = pages.get(key)
    if found is not None:
        return Response(found[0], content_type=found[1])
    response = render()
    if response.status_code == 200 and not (response.direct_passthrough or response.is_streamed
                                            or answered_from_stale_figures()):
        pages.put(key, response.get_data(), response.content_type)
    return response


def _finish(response: Response) -> Response:
    """Validators for public answers, then compression where it is safe."""
    if request.endpoint == "static" or current_user.is_authenticated:
        return response
    response = _validate(response)
    if response.direct_passthrough or response.is_streamed:  # files: Flask-Compress would leave them open
        return response
    return compress.after_request(response)


def _validate(response: Response) -> Response:
    if not _cacheable() or "Cache-Control" in response.headers:
        return response
    response.headers["Cache-Control"] = "no-cache"
    for header in VARY:
        response.vary.add(header)
    if response.status_code == 200 and "ETag" not in response.headers and not (
        response.direct_passthrough or response.is_streamed
    ):
        response.set_etag(hashlib.blake2b(response.get_data(), digest_size=12).hexdigest(), weak=True)
        response.make_conditional(request)
    return response


def release_of(package: Path) -> str:
    """A digest of the code, templates and catalogues' modification times: a new release changes every tag."""
    stamps = sorted(f"{path.relative_to(package)}:{path.stat().st_mtime_ns}" for path in package.rglob("*")
                    if path.suffix in (".py", ".html", ".xml", ".mo") and path.is_file())
    return hashlib.blake2b("\n".join(stamps).encode(), digest_size=8).hexdigest()


def install(app: Flask) -> None:
    app.config.setdefault("RELEASE", None)
    app.config["RELEASE"] = app.config["RELEASE"] or release_of(Path(app.root_path))
    app.extensions["portal.pages"] = PageCache(int(app.config["PAGE_CACHE_MB"] * 1024 * 1024))
    app.config["COMPRESS_REGISTER"] = False
    app.config.setdefault("COMPRESS_MIMETYPES", [*COMPRESSED])
    compress.init_app(app)
    app.after_request(_finish)
