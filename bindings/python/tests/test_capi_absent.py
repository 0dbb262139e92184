"""The extension is built without the core's C ABI: it exports no ``zdk_*`` symbol."""

from __future__ import annotations

import ctypes

import zdkit


def test_the_extension_exports_no_c_abi() -> None:
    extension = ctypes.CDLL(zdkit._native.__file__)
    for name in ("zdk_version", "zdk_client_new", "zdk_strerror", "zdk_config_set_proxy"):
        assert not hasattr(extension, name), f"{name} is exported by {zdkit._native.__file__}"
    # The same lookup finds the extension's own entry point, so the check can fail.
    assert hasattr(extension, "PyInit__native")
