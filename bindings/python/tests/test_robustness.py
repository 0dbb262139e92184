"""No Rust panic reaches Python, durations are range-checked, answers are bounded by
``max_response_bytes``, and the JSON converter survives hostile input."""

from __future__ import annotations

import json
import math
import pathlib
import re
import subprocess
import sys
from typing import Any, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zdkit
from conftest import OAUTH_TOKEN, Emulator

NATIVE_SOURCES = pathlib.Path(__file__).resolve().parents[1] / "src"
DAY = 24 * 60 * 60


# --- panics -------------------------------------------------------------------------

def test_a_panic_is_an_internal_error_and_prints_nothing() -> None:
    script = (
        "import zdkit, zdkit._native as n\n"
        "try:\n"
        "    n._panic_for_test()\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, isinstance(error, zdkit.ZendeskError), 'panicked' in str(error))\n"
        "try:\n"  # and the extension still works afterwards
        "    n._panic_for_test()\n"
        "except zdkit.InternalError:\n"
        "    print('again')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["InternalError True True", "again"]
    assert result.stderr == ""


def _bodies(source: str, start: int) -> List[tuple]:
    """(name, body) of every `fn` in the `impl` block opening after `start`."""
    open_brace = source.index("{", start)
    depth, i, end = 1, open_brace + 1, None
    while depth:
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        i += 1
    end = i
    block = source[open_brace:end]
    found = []
    for match in re.finditer(r"\bfn (\w+)", block):
        body_start = block.index("{", match.end())
        found.append((match.group(1), _braced(block, body_start)))
    return found


def _braced(text: str, open_brace: int) -> str:
    depth, i = 1, open_brace + 1
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[open_brace:i]


def test_every_entry_point_runs_behind_the_panic_guard() -> None:
    # pyo3 turns an uncaught panic into PanicException (not an Exception) and prints
    # it: every #[pymethods] and #[pyfunction] body must go through errors::guard.
    unguarded = []
    checked = 0
    for path in sorted(NATIVE_SOURCES.glob("*.rs")):
        source = path.read_text()
        for match in re.finditer(r"^#\[pymethods\]", source, re.M):
            for name, body in _bodies(source, match.end()):
                checked += 1
                if "guard(" not in body:
                    unguarded.append(f"{path.name}: {name}")
        for match in re.finditer(r"^#\[pyfunction\]", source, re.M):
            fn = re.compile(r"\bfn (\w+)").search(source, match.end())
            assert fn is not None
            checked += 1
            if "guard(" not in _braced(source, source.index("{", fn.end())):
                unguarded.append(f"{path.name}: {fn.group(1)}")
    assert checked > 30
    assert unguarded == []


# --- durations ----------------------------------------------------------------------

@pytest.mark.parametrize("option", ["timeout", "connect_timeout", "deadline"])
@pytest.mark.parametrize("value", [1e300, 1e19, math.nan, math.inf, -math.inf, -1, 0, 0.0, DAY + 1, 10**400, 5e-324])
def test_out_of_range_durations_are_configuration_errors(option: str, value: Any) -> None:
    with pytest.raises(zdkit.ConfigurationError, match=option):
        zdkit.Client(base_url="http://127.0.0.1:9", oauth_token="t", **{option: value})


@pytest.mark.parametrize("option", ["timeout", "connect_timeout", "deadline"])
def test_a_day_is_the_longest_duration(option: str) -> None:
    zdkit.Client(base_url="http://127.0.0.1:9", oauth_token="t", **{option: DAY}).close()


def test_the_native_client_checks_durations_too() -> None:
    for value in (1e300, math.nan, -1.0):
        with pytest.raises(zdkit.ConfigurationError):
            zdkit._native.Client(base_url="http://127.0.0.1:9", oauth_token="t", timeout=value)


@pytest.mark.parametrize("value", [1e300, math.nan, -5, 0, DAY + 1, 10**400])
def test_wait_for_job_timeout_is_range_checked(value: Any) -> None:
    with zdkit.Client(base_url="http://127.0.0.1:9", oauth_token="t") as client:
        with pytest.raises(zdkit.ConfigurationError, match="timeout"):
            client.wait_for_job("job1", timeout=value)


# --- max_response_bytes -------------------------------------------------------------

@pytest.mark.parametrize("value", [0, -1, True, 2**64, 10**400, 1.5, "1000"])
def test_max_response_bytes_must_be_a_positive_whole_number(value: Any) -> None:
    with pytest.raises(zdkit.ConfigurationError, match="max_response_bytes"):
        zdkit.Client(base_url="http://127.0.0.1:9", oauth_token="t", max_response_bytes=value)


def test_the_default_limit_is_the_core_default() -> None:
    assert zdkit._native.DEFAULT_MAX_RESPONSE_BYTES == 64 * 1024 * 1024


def test_a_larger_answer_raises_response_too_large(emulator: Emulator) -> None:
    path = "/api/v2/tickets.json"
    params = {"per_page": 100}
    with emulator.client() as client:
        assert len(client.request("GET", path, params=params).content) > 100_000
    with emulator.client(max_response_bytes=10_000) as client:
        with pytest.raises(zdkit.ResponseTooLargeError) as caught:
            client.get(path, params=params)
        assert isinstance(caught.value, zdkit.TransportError)
        assert "ResponseTooLargeError" in zdkit.__all__
        assert client.get("/api/v2/tickets/1.json")["ticket"]["id"] == 1  # small answers still pass
        with pytest.raises(zdkit.ResponseTooLargeError):
            list(client.paginate(path, params={"per_page": 100}))


# --- the JSON converter -------------------------------------------------------------

def test_deep_nesting_is_a_decode_error_not_a_crash() -> None:
    for depth in (129, 100_000):
        for opening, closing in ((b"[", b"]"), (b'{"a":', b"}")):
            with pytest.raises(zdkit.DecodeError):
                zdkit._native.loads(opening * depth + b"1" + closing * depth)
    nested = b"[" * 100 + b"1" + b"]" * 100
    assert zdkit._native.loads(nested) == json.loads(nested)


@pytest.mark.parametrize("bad", [
    b'"\xff"', b'{"\xc3\x28": 1}', b"\xed\xa0\x80", b"NaN", b"[Infinity]", b"-Infinity", b"1e400",
    b"[-1e400]", b'"\\ud800"', b"1" + b"0" * 400, b"",
])
def test_hostile_values_are_decode_errors(bad: bytes) -> None:
    with pytest.raises(zdkit.DecodeError):
        zdkit._native.loads(bad)


@pytest.mark.parametrize("text", [
    "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890",
    '{"id": 99999999999999999999999, "f": 1.5, "n": [1e3, -0, 340282366920938463463374607431768211457, 2.5]}',
    "-0", "[-0, -0.0, 0]", "1.7976931348623157e308", "5e-324", "0.1", "[1e-400]",
])
def test_numbers_match_json_loads_exactly(text: str) -> None:
    ours, theirs = zdkit._native.loads(text.encode()), json.loads(text)
    assert _typed(ours) == _typed(theirs)


def _typed(value: Any) -> Any:
    """`value` with every scalar tagged by its type (so 1 != 1.0 and 0.0 != -0.0)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=40,
)
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(json_values, st.booleans())
def test_valid_json_parses_like_json_loads(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert _typed(zdkit._native.loads(text.encode("utf-8"))) == _typed(json.loads(text))


@EXAMPLES
@given(st.binary(max_size=200) | st.text(alphabet='[]{}",:0123456789-+.eE \\untrlfasNIy', max_size=60).map(str.encode))
def test_arbitrary_bytes_are_a_decode_error_or_what_json_loads_gives(data: bytes) -> None:
    try:
        ours = zdkit._native.loads(data)
    except zdkit.DecodeError:
        return
    assert _typed(ours) == _typed(json.loads(data.decode("utf-8")))


# --- exception classes, looked up once ----------------------------------------------

def test_exception_classes_are_looked_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The extension looked zdkit.errors up when it was imported: replacing the module
    # now changes nothing (an import per error would find the stand-in).
    import types

    monkeypatch.setitem(sys.modules, "zdkit.errors", types.ModuleType("zdkit.errors"))
    with pytest.raises(zdkit.ConfigurationError, match="more than one credential"):
        zdkit.Client("acme", oauth_token="o", email="a@example.com", api_token="t")


def test_the_search_limit_code_comes_from_the_core(fresh: Emulator) -> None:
    assert zdkit._native.SEARCH_LIMIT_CODE == "SearchResultLimit"
    body = json.dumps({"error": zdkit._native.SEARCH_LIMIT_CODE, "description": "too many"})
    fresh.fault(method="GET", path_prefix="/api/v2/search",
                fault={"kind": "status", "status": 422, "body": body})
    with fresh.client() as client:
        with pytest.raises(zdkit.SearchLimitError) as caught:
            client.get("/api/v2/search.json", {"query": "type:ticket"})
    assert caught.value.code == zdkit._native.SEARCH_LIMIT_CODE
