"""OAI-PMH 2.0 at /oai for harvesters (library catalogues, BASE, InvenioRDM): the six verbs with ``oai_dc``.

The protocol is small enough to write plainly: request checking and XML here, which records exist and
their datestamps in ``portal.catalogue.oai``. Resumption tokens are signed and carry the whole state of
a list (its selection and the last id sent), so they need no storage and any host can answer them;
they expire after ``OAI_TOKEN_HOURS``. Every malformed request gets the protocol's error, never a 500.
GET and POST work alike; POST is exempt from CSRF (harvesters have no session).
"""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from flask import Blueprint, Response, current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal import vocab
from portal.catalogue import oai
from portal.catalogue.parsing import MAX_ID
from portal.extensions import csrf
from portal.links import absolute_url
from portal.models import utcnow
from portal.views.languages import in_english

bp = Blueprint("oai", __name__)
csrf.exempt(bp)

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
for prefix, uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    register_namespace(prefix, uri)

PAGE_SIZE = 100
METADATA_PREFIX = "oai_dc"
# verb → (required arguments, optional arguments); "resumptionToken" is exclusive where allowed.
VERBS = {
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ("resumptionToken",)),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# Characters XML 1.0 cannot carry at all.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: Element, namespace: str, tag: str, text=None, **attributes) -> Element:
    element = SubElement(parent, f"{{{namespace}}}{tag}", {key: str(value) for key, value in attributes.items()})
    if text is not None:
        element.text = NOT_XML.sub("", str(text))
    return element


def _host() -> str:
    return urlsplit(absolute_url("public.home")).hostname or "localhost"


def identifier(item_id: int) -> str:
    return f"oai:{_host()}:item/{item_id}"


def _item_id(value: str) -> int | None:
    prefix = f"oai:{_host()}:item/"
    number = value[len(prefix):] if value.startswith(prefix) else ""
    return int(number) if number.isdigit() and int(number) <= MAX_ID else None


# --- Arguments ----------------------------------------------------------------------------------------


def _arguments() -> tuple[str, dict[str, str]]:
    values = request.form if request.method == "POST" else request.args
    verbs = values.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "The verb is missing, repeated or not one of " + ", ".join(VERBS) + ".")
    verb = verbs[0]
    required, optional = VERBS[verb]
    arguments = {}
    for name in values:
        if name == "verb":
            continue
        if name not in required + optional:
            raise OaiError("badArgument", f"{verb} does not take the argument {name!r}.")
        if len(values.getlist(name)) > 1:
            raise OaiError("badArgument", f"The argument {name!r} is repeated.")
        arguments[name] = values[name]
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OaiError("badArgument", "resumptionToken must be the only argument besides the verb.")
    elif missing := [name for name in required if name not in arguments]:
        raise OaiError("badArgument", f"{verb} needs the argument(s) {', '.join(missing)}.")
    return verb, arguments


def _moment(value: str, name: str) -> tuple[datetime, str]:
    try:
        if DAY.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%d"), "day"
        if SECOND.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"), "second"
    except ValueError:
        pass
    raise OaiError("badArgument", f"{name} must be a UTC date YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


def _selection(arguments: dict[str, str]) -> oai.Selection:
    if arguments["metadataPrefix"] != METADATA_PREFIX:
        raise OaiError("cannotDisseminateFormat", f"Only {METADATA_PREFIX} is offered.")
    start = before = None
    granularities = set()
    if "from" in arguments:
        start, granularity = _moment(arguments["from"], "from")
        granularities.add(granularity)
    if "until" in arguments:
        until, granularity = _moment(arguments["until"], "until")
        granularities.add(granularity)
        before = until + (timedelta(days=1) if granularity == "day" else timedelta(seconds=1))
    if len(granularities) > 1:
        raise OaiError("badArgument", "from and until must have the same granularity.")
    if start is not None and before is not None and start >= before:
        raise OaiError("badArgument", "from must not be after until.")
    spec = arguments.get("set")
    if spec is not None and not oai.is_set(spec):
        raise OaiError("noRecordsMatch", f"There is no set {spec!r}; ListSets names them.")
    return oai.Selection(spec, start, before)


# --- Resumption tokens ----------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="oai-pmh-resumption-token")


def _token_seconds() -> int:
    return int(current_app.config["OAI_TOKEN_HOURS"] * 3600)


def _encode(verb: str, selection: oai.Selection, after_id: int, cursor: int) -> str:
    moments = [_stamp(value) if value else None for value in (selection.start, selection.before)]
    return _serializer().dumps([verb, selection.set_spec, *moments, after_id, cursor])


def _decode(token: str, verb: str) -> tuple[oai.Selection, int, int]:
    try:
        saved_verb, spec, start, before, after_id, cursor = _serializer().loads(token, max_age=_token_seconds())
        moments = [datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ") if value else None for value in (start, before)]
    except SignatureExpired:
        raise OaiError("badResumptionToken", "The resumption token has expired: start the list again.") from None
    except (BadSignature, ValueError, TypeError):
        raise OaiError("badResumptionToken", "The resumption token is not one this repository issued.") from None
    if saved_verb != verb:
        raise OaiError("badResumptionToken", f"The resumption token belongs to {saved_verb}, not {verb}.")
    return oai.Selection(spec, *moments), int(after_id), int(cursor)


# --- Verbs --------------------------------------------------------------------------------------------


def _identify(parent: Element, _arguments: dict) -> None:
    identify = _add(parent, OAI, "Identify")
    _add(identify, OAI, "repositoryName", current_app.config["SITE_NAME"])
    _add(identify, OAI, "baseURL", absolute_url("oai.endpoint"))
    _add(identify, OAI, "protocolVersion", "2.0")
    _add(identify, OAI, "adminEmail", current_app.config["OAI_ADMIN_EMAIL"])
    _add(identify, OAI, "earliestDatestamp", _stamp(oai.earliest_datestamp()))
    _add(identify, OAI, "deletedRecord", "transient")
    _add(identify, OAI, "granularity", "YYYY-MM-DDThh:mm:ssZ")


def _record(item_id_text: str) -> oai.Record:
    item_id = _item_id(item_id_text)
    found = oai.record(item_id) if item_id is not None else None
    if found is None:
        raise OaiError("idDoesNotExist", f"No record has the identifier {item_id_text!r}.")
    return found


def _list_metadata_formats(parent: Element, arguments: dict) -> None:
    if "identifier" in arguments:
        _record(arguments["identifier"])
    formats = _add(parent, OAI, "ListMetadataFormats")
    metadata_format = _add(formats, OAI, "metadataFormat")
    _add(metadata_format, OAI, "metadataPrefix", METADATA_PREFIX)
    _add(metadata_format, OAI, "schema", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    _add(metadata_format, OAI, "metadataNamespace", OAI_DC)


def _list_sets(parent: Element, arguments: dict) -> None:
    if "resumptionToken" in arguments:
        raise OaiError("badResumptionToken", "ListSets answers in one response; it issues no tokens.")
    listing = _add(parent, OAI, "ListSets")
    for spec, name in oai.sets():
        element = _add(listing, OAI, "set")
        _add(element, OAI, "setSpec", spec)
        _add(element, OAI, "setName", name)


def _header(parent: Element, record: oai.Record) -> None:
    header = _add(parent, OAI, "header", **({"status": "deleted"} if record.deleted else {}))
    _add(header, OAI, "identifier", identifier(record.item.id))
    _add(header, OAI, "datestamp", _stamp(record.datestamp))
    for spec in record.sets:
        _add(header, OAI, "setSpec", spec)


def _dublin_core(parent: Element, record: oai.Record) -> None:
    """The item in ``oai_dc``; only for records that are public (deleted ones carry no metadata)."""
    item = record.item
    metadata = _add(parent, OAI, "metadata")
    dc = _add(metadata, OAI_DC, "dc", **{f"{{{XSI}}}schemaLocation": f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"})
    _add(dc, DC, "title", item.title)
    _add(dc, DC, "creator", item.organisation.name)
    for subject in oai.subjects(item):
        _add(dc, DC, "subject", subject)
    _add(dc, DC, "description", item.summary)
    if item.description:
        _add(dc, DC, "description", item.description)
    _add(dc, DC, "date", str(item.publication_year) if item.publication_year else item.created_at.date().isoformat())
    kind = vocab.label(vocab.RESOURCE_TYPES, item.resource_type) if item.resource_type else vocab.label(vocab.KINDS,
                                                                                                      item.kind)
    _add(dc, DC, "type", kind)
    _add(dc, DC, "identifier", absolute_url("public.item", item_id=item.id))
    for link in (item.link_url, item.website_url):
        if link:
            _add(dc, DC, "relation", link)
    _add(dc, DC, "language", item.language)
    for place in (["Global"] if item.is_global else []) + sorted(vocab.country_name(code) for code in item.countries):
        _add(dc, DC, "coverage", place)


def _get_record(parent: Element, arguments: dict) -> None:
    if arguments["metadataPrefix"] != METADATA_PREFIX:
        raise OaiError("cannotDisseminateFormat", f"Only {METADATA_PREFIX} is offered.")
    record = _record(arguments["identifier"])
    element = _add(_add(parent, OAI, "GetRecord"), OAI, "record")
    _header(element, record)
    if not record.deleted:
        _dublin_core(element, record)


def _list(parent: Element, arguments: dict, verb: str) -> None:
    if "resumptionToken" in arguments:
        selection, after_id, cursor = _decode(arguments["resumptionToken"], verb)
    else:
        selection, after_id, cursor = _selection(arguments), 0, 0
    now = utcnow()
    page = oai.records(selection, after_id, PAGE_SIZE + 1, now)
    if not page:
        raise OaiError("noRecordsMatch", "No record matches these arguments.")
    more, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
    listing = _add(parent, OAI, verb)
    for record in page:
        if verb == "ListIdentifiers":
            _header(listing, record)
        else:
            element = _add(listing, OAI, "record")
            _header(element, record)
            if not record.deleted:
                _dublin_core(element, record)
    if more or cursor:
        attributes = {"cursor": cursor, "completeListSize": oai.count(selection, now)}
        token = _encode(verb, selection, page[-1].item.id, cursor + len(page)) if more else None
        if token:
            attributes["expirationDate"] = _stamp(now + timedelta(seconds=_token_seconds()))
        _add(listing, OAI, "resumptionToken", token or "", **attributes)


HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": lambda parent, arguments: _list(parent, arguments, "ListIdentifiers"),
    "ListRecords": lambda parent, arguments: _list(parent, arguments, "ListRecords"),
}


@bp.route("/oai", methods=["GET", "POST"])
@in_english
def endpoint():
    root = Element(f"{{{OAI}}}OAI-PMH", {f"{{{XSI}}}schemaLocation": f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"})
    _add(root, OAI, "responseDate", _stamp(utcnow()))
    echo = _add(root, OAI, "request", absolute_url("oai.endpoint"))
    try:
        verb, arguments = _arguments()
        for name, value in {"verb": verb, **arguments}.items():
            echo.set(name, NOT_XML.sub("", value))
        HANDLERS[verb](root, arguments)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            echo.attrib.clear()  # the protocol: echo no arguments of a malformed request
        for child in list(root)[2:]:
            root.remove(child)
        _add(root, OAI, "error", error.message, code=error.code)
    return Response(tostring(root, encoding="utf-8", xml_declaration=True), mimetype="text/xml")
