from __future__ import annotations

import io

from cqp.lib.downloads import private_download, private_file, private_stream, safe_filename


def _private(response) -> None:
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_bytes_download_as_an_attachment_kept_by_no_cache() -> None:
    response = private_download(b"%PDF", filename="pv.pdf", content_type="application/pdf")
    assert response.content == b"%PDF"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pv.pdf"'
    _private(response)


def test_an_open_file_streams_inline_when_asked() -> None:
    response = private_file(io.BytesIO(b"%PDF"), filename="a.pdf", content_type="application/pdf", inline=True)
    assert response.getvalue() == b"%PDF"
    assert response["Content-Disposition"] == 'inline; filename="a.pdf"'
    _private(response)


def test_a_stream_has_the_same_headers() -> None:
    response = private_stream(iter([b"PK"]), filename="p.zip", content_type="application/zip")
    assert response["Content-Disposition"] == 'attachment; filename="p.zip"'
    _private(response)


def test_a_name_with_accents_or_quotes_is_encoded() -> None:
    response = private_download(b"", filename='Livret "é".pdf', content_type="application/pdf")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Livret%20%22%C3%A9%22.pdf"
    response = private_download(b"", filename='a"b.pdf', content_type="application/pdf")
    assert response["Content-Disposition"] == 'attachment; filename="a\\"b.pdf"'


def test_a_file_name_loses_its_path_and_control_characters() -> None:
    assert safe_filename("../../etc/passwd") == "_.._etc_passwd"
    assert safe_filename("a\r\nb.pdf") == "a_b.pdf"
    assert safe_filename("...") == "fichier"


def test_a_long_file_name_keeps_its_extension() -> None:
    name = safe_filename("x" * 300 + ".pdf")
    assert len(name) == 200
    assert name.endswith("xx.pdf")
