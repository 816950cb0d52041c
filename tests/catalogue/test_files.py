"""Uploaded files: recognised by content, never by name; stored files follow the transaction."""

import io
import zipfile

import pytest

from portal.catalogue import RuleViolation, files
from portal.extensions import db
from tests import samples


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.pdf(), files.PDF),
        (samples.png(), files.PNG),
        (samples.jpeg(), files.JPEG),
        (samples.ooxml("docx"), files.DOCX),
        (samples.ooxml("xlsx"), files.XLSX),
        (samples.ooxml("pptx"), files.PPTX),
        (samples.odf("odt"), files.ODT),
        (samples.odf("ods"), files.ODS),
        (samples.odf("odp"), files.ODP),
        (samples.ole("WordDocument"), files.DOC),
        (samples.ole("Workbook"), files.XLS),
        (samples.ole("PowerPoint Document"), files.PPT),
    ],
    ids=lambda value: value.extension if isinstance(value, files.FileType) else None,
)
def test_allowed_types_are_recognised_by_content(data, expected):
    assert files.detect(stream(data)) is expected


DOCX_CONTENT_TYPES = zipfile.ZipFile(io.BytesIO(samples.docx())).read("[Content_Types].xml")
MACRO_DOCUMENT = samples.zip_of(
    [
        (
            "[Content_Types].xml",
            f'<Types xmlns="{samples.CONTENT_TYPES_NS}"><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        ),
        ("word/document.xml", "<w:document/>"),
        ("word/vbaProject.bin", b"\x00" * 32),
    ]
)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.html(), id="html"),
        pytest.param(b"%!PS-Adobe-3.0\n", id="postscript"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00", id="windows-executable"),
        pytest.param(b"GIF89a\x01\x00\x01\x00", id="gif"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", id="svg"),
        pytest.param(samples.zip_of([("notes.txt", "hello")]), id="arbitrary-zip"),
        pytest.param(samples.zip_of([("word/document.xml", "<w:document/>")]), id="zip-with-word-folder"),
        pytest.param(
            samples.zip_of([("[Content_Types].xml", f'<Types xmlns="{samples.CONTENT_TYPES_NS}"/>'),
                            ("word/document.xml", "<w:document/>")]),
            id="ooxml-without-main-part-declared",
        ),
        pytest.param(samples.zip_of([("[Content_Types].xml", DOCX_CONTENT_TYPES)]), id="ooxml-main-part-missing"),
        pytest.param(MACRO_DOCUMENT, id="macro-enabled-word"),
        pytest.param(samples.zip_of([("mimetype", "application/epub+zip"), ("content.xml", "<x/>")]), id="epub"),
        pytest.param(samples.zip_of([("mimetype", "application/vnd.oasis.opendocument.text")]), id="odf-no-content"),
        pytest.param(samples.ole("Other stream"), id="ole-not-office"),
        pytest.param(samples.ole()[:600], id="ole-truncated"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 100, id="zip-damaged"),
        pytest.param(b"", id="empty"),
    ],
)
def test_other_content_is_not_recognised(data):
    assert files.detect(stream(data)) is None


def test_the_name_does_not_matter(app):
    """An HTML page named .pdf is refused; a real PDF is accepted whatever it is called."""
    with pytest.raises(RuleViolation) as refused:
        files.check(stream(samples.html()))
    assert refused.value.field == "file"
    assert "not an allowed type" in refused.value.message
    assert files.check(stream(samples.pdf())) is files.PDF


def test_an_empty_file_is_refused(app):
    with pytest.raises(RuleViolation, match="empty"):
        files.check(stream(b""))


def test_a_file_over_the_size_limit_is_refused(app):
    app.config["MAX_UPLOAD_MB"] = 1
    big = samples.pdf() + b"0" * (1024 * 1024)
    with pytest.raises(RuleViolation, match="larger than 1 MB") as refused:
        files.check(stream(big))
    assert refused.value.field == "file"
    assert files.check(stream(samples.pdf() + b"0" * 1000)) is files.PDF


def test_a_zip_bomb_manifest_is_not_read(app):
    bomb = samples.zip_of([("[Content_Types].xml", "<Types>" + " " * (2 * 1024 * 1024) + "</Types>")])
    assert files.detect(stream(bomb)) is None


@pytest.mark.parametrize(
    ("original", "file_type", "expected"),
    [
        ("report.pdf", files.PDF, "report.pdf"),
        ("../../etc/passwd.pdf", files.PDF, "passwd.pdf"),
        ("C:\\Users\\me\\Rapport été.PDF", files.PDF, "Rapport été.pdf"),
        ("photo.jpeg", files.JPEG, "photo.jpg"),
        ("report.png", files.PDF, "report.png.pdf"),  # the content decides the extension
        ("no extension", files.DOCX, "no extension.docx"),
        ("evil\r\nname\x00.pdf", files.PDF, "evilname.pdf"),
        ("", files.PNG, "file.png"),
        ("...", files.PNG, "file.png"),
    ],
)
def test_download_names_are_safe(original, file_type, expected):
    assert files.download_name(original, file_type) == expected


def test_download_names_are_short_enough():
    assert len(files.download_name("a" * 400 + ".pdf", files.PDF)) <= 255


def test_a_stored_file_gets_a_generated_name(app):
    stored = files.store(stream(samples.png()), "My picture.png")
    db.session.commit()
    path = files.path_of(stored.name)
    assert path.read_bytes() == samples.png()
    assert path.parent == files.upload_dir()
    assert stored.name.endswith(".png") and "picture" not in stored.name
    assert (stored.original_name, stored.mime, stored.size) == ("My picture.png", "image/png", len(samples.png()))


def test_a_file_stored_in_a_rolled_back_transaction_is_removed(app):
    stored = files.store(stream(samples.pdf()), "a.pdf")
    assert files.path_of(stored.name).exists()
    db.session.rollback()
    assert not files.path_of(stored.name).exists()


def test_a_discarded_file_goes_only_when_the_transaction_commits(app):
    stored = files.store(stream(samples.pdf()), "a.pdf")
    db.session.commit()
    path = files.path_of(stored.name)

    files.discard(stored.name)
    db.session.rollback()
    assert path.exists()

    files.discard(stored.name)
    db.session.commit()
    assert not path.exists()


def test_a_refused_file_is_not_stored(app):
    with pytest.raises(RuleViolation):
        files.store(stream(samples.html()), "page.pdf")
    assert not files.upload_dir().exists() or not any(files.upload_dir().iterdir())


@pytest.mark.parametrize("name", ["../secret_key", "abc.pdf", "0" * 32 + ".pdf/../x"])
def test_only_generated_names_map_to_paths(name):
    with pytest.raises(ValueError):
        files.path_of(name)
