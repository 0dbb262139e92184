"""Run inside a fresh virtualenv holding only the installed zdkit wheel: imports zdkit,
starts the `zdkit-emulator` command the wheel installed, and makes requests against it.

Usage: python smoke.py EXPECTED_VERSION [--no-emulator]   (exit status 0 when all is well)
"""

import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import sys

import zdkit
import zdkit.testing


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"smoke: FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"smoke: ok: {what}")


def metadata(expected_version: str) -> None:
    check(zdkit.__version__ == expected_version, f"zdkit.__version__ is {zdkit.__version__!r}")
    dist = importlib.metadata.distribution("zdkit")
    check(dist.version == expected_version, f"the installed distribution is zdkit {dist.version}")
    files = [str(f) for f in dist.files or []]
    for name in ("LICENSE-MIT", "LICENSE-APACHE"):
        check(any(f.endswith(name) for f in files), f"{name} is in the wheel")
    meta = dist.metadata
    check(bool(meta.get_all("Project-URL")), "the metadata has project URLs")
    check("Programming Language :: Python :: 3.9" in (meta.get_all("Classifier") or []),
          "the metadata has Python-version classifiers")
    entry_points = {ep.name: ep.value for ep in dist.entry_points if ep.group == "pytest11"}
    check(entry_points.get("zdkit") == "zdkit.testing", f"pytest11 entry point: {entry_points}")
    check("curl" in zdkit.version() and "OpenSSL" in zdkit.version(), f"zdkit.version(): {zdkit.version()}")


def emulator() -> None:
    command = shutil.which("zdkit-emulator")
    check(command is not None and command.startswith(sys.prefix),
          f"zdkit-emulator is on PATH in this virtualenv ({command})")
    assert command is not None
    usage = subprocess.run([command, "--help"], capture_output=True, text=True, timeout=30)
    check(usage.returncode == 0 and usage.stdout.startswith("usage: zdkit-emulator"),
          "zdkit-emulator --help prints its usage")
    process = subprocess.Popen([command, "--port", "0", "--tickets", "42"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        check(set(first) == {"url", "ca_file"} and first["url"].startswith("http://127.0.0.1:"),
              f"the first line is the address: {first}")
        exe = os.readlink(f"/proc/{process.pid}/exe")
        check(exe.endswith("/zdkit/_bin/zdkit-emulator"), f"the command runs the bundled binary ({exe})")
        with zdkit.Client(base_url=first["url"], email="agent@example.com", api_token="emulator-api-token") as client:
            check(client.get("/api/v2/users/me")["user"]["id"] == 1, "GET /api/v2/users/me as the built-in admin")
            check(client.get("/api/v2/tickets/42")["ticket"]["id"] == 42, "ticket 42 exists")
            try:
                client.get("/api/v2/tickets/43")
                check(False, "--tickets 42 reached the emulator (ticket 43 exists)")
            except zdkit.NotFoundError:
                check(True, "--tickets 42 reached the emulator (ticket 43 is a 404)")
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=20)
    check(status == 0, f"SIGTERM stops it with status 0 (got {status})")

    with zdkit.testing.start_emulator("--tls") as running:
        check(running.url.startswith("https://") and running.ca_file is not None, "start_emulator('--tls')")
        with running.client() as client:
            ticket = client.post("/api/v2/tickets", json={"ticket": {"subject": "smoke", "comment": {"body": "x"}}})
            check(ticket["ticket"]["subject"] == "smoke", "a ticket made over HTTPS")
        pid = running.pid
    check(not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z",
          "the context manager stopped the emulator")


if __name__ == "__main__":
    metadata(sys.argv[1])
    if "--no-emulator" not in sys.argv[2:]:
        emulator()
    print("smoke: all checks passed")
