"""client.download through a real second origin: zdkit-hostile's attachment cases
answer a content_url on the account origin with a 302 to the content origin (the same
server under another host name, so its request log shows what reached it)."""

from __future__ import annotations

import io
import os
import pathlib
from typing import Any, Dict, List

import pytest

import zdkit
from test_hostile import Hostile, hostile, server_log  # noqa: F401 - the fixture

CANARY = "canary-download-py-61ae"


def pattern(size: int) -> bytes:
    return bytes((i * 31 + 7) % 256 for i in range(size))


def client_for(server: Hostile, case: str = "attachment", **options: Any) -> zdkit.Client:
    options.setdefault("max_retries", 1)
    return zdkit.Client(base_url=f"{server.url}/case/{case}/", oauth_token=CANARY, **options)


def content_requests(server: Hostile, case: str = "content") -> List[Dict[str, Any]]:
    return server_log(server.url, f"/case/{case}/")


def test_download_by_id_and_by_url_without_credential_off_origin(hostile: Hostile, tmp_path: pathlib.Path) -> None:  # noqa: F811
    before = len(content_requests(hostile))
    size = 3 * 1024 * 1024
    with client_for(hostile, max_response_bytes=64 * 1024) as client:
        dest = tmp_path / "by-id.bin"
        assert client.download(size, dest) == size
        assert dest.read_bytes() == pattern(size)
        content_url = client.get("/api/v2/attachments/4000.json")["attachment"]["content_url"]
        assert client.download(content_url, str(tmp_path / "by-url.bin")) == 4000
        assert (tmp_path / "by-url.bin").read_bytes() == pattern(4000)
        buffer = io.BytesIO()
        assert client.download("1234", buffer) == 1234
        assert buffer.getvalue() == pattern(1234)
        # An ordinary call still refuses the cross-origin redirect.
        with pytest.raises(zdkit.HTTPError) as refused:
            client.get(content_url)
        assert refused.value.status == 302
    content = content_requests(hostile)[before:]
    assert len(content) == 3
    for request in content:
        for line in request["headers"]:
            assert not line.lower().startswith("authorization") and CANARY not in line
    assert sorted(os.listdir(tmp_path)) == ["by-id.bin", "by-url.bin"]


def test_max_bytes_and_a_cut_transfer_leave_nothing(hostile: Hostile, tmp_path: pathlib.Path) -> None:  # noqa: F811
    dest = tmp_path / "file.bin"
    dest.write_bytes(b"old")
    with client_for(hostile) as client:
        with pytest.raises(zdkit.ResponseTooLargeError):
            client.download(5000, dest, max_bytes=4096)
        buffer = io.BytesIO()
        with pytest.raises(zdkit.ResponseTooLargeError):
            client.download(5000, buffer, max_bytes=4096)
        assert buffer.getvalue() == b""
    with client_for(hostile, "attachment-cut") as client:
        with pytest.raises(zdkit.TransportError):
            client.download(200_000, dest)
    assert dest.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_bad_destinations_and_sources(hostile: Hostile, tmp_path: pathlib.Path) -> None:  # noqa: F811
    with client_for(hostile) as client:
        with pytest.raises(zdkit.ConfigurationError):
            client.download(10, tmp_path / "missing" / "x.bin")
        with pytest.raises(zdkit.ConfigurationError):
            client.download(10, tmp_path)
        with pytest.raises(TypeError):
            client.download(10, 42)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            client.download(1.5, tmp_path / "x")  # type: ignore[arg-type]
        with pytest.raises(zdkit.NotFoundError):
            client.download("/no/such/thing", tmp_path / "x")
        with pytest.raises(zdkit.ConfigurationError):
            client.download(10, tmp_path / "x", max_bytes=-1)
        with pytest.raises(zdkit.InsecureTransportError):
            client.download("http://example.com/file", tmp_path / "x")
    assert os.listdir(tmp_path) == []
