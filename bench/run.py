"""`make bench`: zdkit side by side with a bare-libcurl floor and the usual Python
clients, on a static nginx serving pre-generated Zendesk-shaped pages.

Every client runs pinned to CPU 0 (taskset), nginx to CPU 1. Each round runs every
client of a work once, in a rotated order; a client's ratio in a round is its time
divided by the baseline's time in the same round, and the table shows the median over
the rounds (pair-by-pair: a busy moment slows both sides of a pair). Peak RSS is the
child's ru_maxrss.

Usage: python bench/run.py --target-dir DIR --python VENV_PYTHON [--quick] [--only W2,W4]
    [--rounds N]
Writes the table to stdout, docs/benchmarks.md and README.md (between markers); with
--quick, --only or --rounds the files are left alone (a partial or short run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
CLIENT_CPU = "0"
SERVER_CPU = "1"
MARK_BEGIN = "<!-- bench:begin (written by make bench) -->"
MARK_END = "<!-- bench:end -->"


@dataclass
class Run:
    seconds: float
    rss_kib: int


@dataclass
class Entry:
    label: str
    argv: List[str]
    env: Dict[str, str] = field(default_factory=dict)
    wall: bool = False  # time the whole process (a CLI) instead of its own report
    runs: List[Run] = field(default_factory=list)


@dataclass
class Work:
    name: str
    title: str
    baseline: str
    entries: List[Entry]
    ratios: Dict[str, List[float]] = field(default_factory=dict)


def free_port(preferred: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            raise SystemExit(f"bench: port {preferred} is busy: set BENCH_PORT to a free one")


def run_once(entry: Entry, cleanup: Optional[str]) -> Run:
    argv = ["taskset", "-c", CLIENT_CPU, *entry.argv]
    env = dict(os.environ, **entry.env)
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = process.communicate(timeout=600)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"bench: {entry.label} failed ({process.returncode}): {err.decode(errors='replace')[-2000:]}")
    if cleanup and os.path.exists(cleanup):
        os.unlink(cleanup)
        checkpoint = cleanup + ".checkpoint"
        if os.path.exists(checkpoint):
            os.unlink(checkpoint)
    seconds = wall if entry.wall else float(out.decode().strip().splitlines()[-1])
    return Run(seconds, _last_rss())


_RSS_FILE = os.path.join(tempfile.gettempdir(), f"zdkit-bench-rss-{os.getpid()}")


def _last_rss() -> int:
    try:
        with open(_RSS_FILE) as handle:
            return int(handle.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def measured(argv: List[str]) -> List[str]:
    """Wraps argv so that the child's peak RSS (KiB) lands in _RSS_FILE (GNU time)."""
    return ["/usr/bin/time", "-f", "%M", "-o", _RSS_FILE, *argv]


def run_work(work: Work, rounds: int, cleanup: Optional[str] = None) -> None:
    for round_index in range(rounds):
        shift = round_index % len(work.entries)
        order = work.entries[shift:] + work.entries[:shift]
        times: Dict[str, float] = {}
        for entry in order:
            run = run_once(entry, cleanup)
            entry.runs.append(run)
            times[entry.label] = run.seconds
        base = times[work.baseline]
        for label, seconds in times.items():
            work.ratios.setdefault(label, []).append(seconds / base)
        print(f"  {work.name} round {round_index + 1}/{rounds}: "
              + ", ".join(f"{label} {seconds:.3f}s" for label, seconds in times.items()), flush=True)


def gen_site(python: str, site: str, base: str) -> None:
    marker = os.path.join(site, ".complete")
    if os.path.exists(marker):
        return
    shutil.rmtree(site, ignore_errors=True)
    print(f"bench: writing the static pages to {site} (once)", flush=True)
    subprocess.run([python, os.path.join(BENCH, "gen_site.py"), site, base], check=True)
    open(marker, "w").close()


def write_loop_template(site: str, base: str) -> None:
    """One 1,000-ticket incremental page whose cursors nginx fills in (sub_filter), so
    an export of any length needs no more files: page k's after_cursor is k+1 x's."""
    template = os.path.join(site, "loop.json")
    last = os.path.join(site, "loop-last.json")
    if os.path.exists(template) and os.path.exists(last):
        return
    with open(os.path.join(site, "i", "first.json"), encoding="utf-8") as handle:
        page = json.load(handle)
    page["after_cursor"] = "@NEXT@"
    page["after_url"] = f"{base}/api/v2/incremental/tickets/cursor.json?cursor=@NEXT@&per_page=1000"
    page["end_of_stream"] = False
    with open(template, "w", encoding="utf-8") as handle:
        json.dump(page, handle, separators=(",", ":"))
    page["end_of_stream"] = True
    with open(last, "w", encoding="utf-8") as handle:
        json.dump(page, handle, separators=(",", ":"))


def make_cert(directory: str) -> Tuple[str, str]:
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def nginx_conf(prefix: str, site: str, port: int, tls_port: int, loop_port: int, cert: str, key: str,
               loop_pages: Sequence[int]) -> str:
    lasts = "\n".join(f"        \"~^x{{{n - 1}}}$\" loop-last;" for n in loop_pages)
    common = f"""
        root {site};
        default_type application/json;
        location = /api/v2/users/me.json {{ try_files /me.json =404; }}
        location = /api/v2/tickets.json {{ try_files /t/$tickets_page.json =404; }}
        location = /api/v2/incremental/tickets/cursor.json {{ try_files /i/$export_page.json =404; }}
"""
    return f"""
worker_processes 1;
user root;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    types {{ }}
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    map $args $tickets_page {{
        "~(^|&)page(%5B|\\[)after(%5D|\\])=(?<tc>c[0-9]+)" $tc;
        default first;
    }}
    map $args $export_page {{
        "~(^|&)cursor=(?<ec>c[0-9]+)" $ec;
        default first;
    }}
    map $arg_cursor $loop_page {{
{lasts}
        default loop;
    }}
    server {{
        listen 127.0.0.1:{port};
{common}
    }}
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_session_cache shared:bench:1m;
{common}
    }}
    server {{
        listen 127.0.0.1:{loop_port};
        root {site};
        default_type application/json;
        location = /api/v2/incremental/tickets/cursor.json {{
            sub_filter_types application/json;
            sub_filter_once off;
            sub_filter "@NEXT@" "${{arg_cursor}}x";
            try_files /$loop_page.json =404;
        }}
    }}
}}
"""


def site_megabytes(site: str) -> int:
    """The size of the 1,000 cursor pages, in MB."""
    folder = os.path.join(site, "t")
    return round(sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder)) / 1e6)


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"bench: nginx did not listen on {port}")


def cc_build(out_dir: str, target_dir: str) -> Dict[str, str]:
    lib = os.path.abspath(os.path.join(target_dir, "release"))
    built = {name: os.path.join(out_dir, name) for name in ("floor", "floor_simdjson", "zdkit_c")}
    flags = ["-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
    subprocess.run(["cc", *flags, "-o", built["floor"], os.path.join(BENCH, "floor.c"), "-lcurl"], check=True)
    subprocess.run(["c++", "-O3", "-march=native", "-std=c++17", "-Wall", "-Werror", "-o",
                    built["floor_simdjson"], os.path.join(BENCH, "floor_simdjson.cpp"), "-lsimdjson", "-lcurl"],
                   check=True)
    subprocess.run(["cc", *flags, "-I", os.path.join(ROOT, "include"), "-o", built["zdkit_c"],
                    os.path.join(BENCH, "zdkit_c.c"), "-L", lib, "-Wl,-rpath," + lib, "-lzdkit", "-lpthread"],
                   check=True)
    return built


def fmt_ratio(values: List[float]) -> str:
    return f"{statistics.median(values):.2f}×"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target-dir", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated works to run (W1,…,W5)")
    parser.add_argument("--rounds", type=int, default=0, help="rounds per work (default 5, quick 3)")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    only = {name.strip().upper() for name in args.only.split(",") if name.strip()}
    partial = bool(only) or bool(args.rounds) or args.quick
    port = free_port(int(os.environ.get("BENCH_PORT", "18480")))
    tls_port, loop_port = free_port(port + 1), free_port(port + 2)
    base, tls_base, loop_base = (f"http://127.0.0.1:{port}", f"https://127.0.0.1:{tls_port}",
                                 f"http://127.0.0.1:{loop_port}")
    work_dir = os.path.join(args.target_dir, "bench")
    site = os.path.join(work_dir, f"site-{port}")
    prefix = os.path.join(work_dir, "nginx")
    os.makedirs(prefix, exist_ok=True)
    gen_site(args.python, site, base)
    write_loop_template(site, loop_base)
    cert, key = make_cert(work_dir)
    loop_pages = [100] if args.quick else [100, 1000]
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as handle:
        handle.write(nginx_conf(prefix, site, port, tls_port, loop_port, cert, key, loop_pages))
    built = cc_build(work_dir, args.target_dir)
    out_dir = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    jsonl = os.path.join(out_dir, f"zdkit-bench-{os.getpid()}.jsonl")

    nginx = subprocess.Popen(["taskset", "-c", SERVER_CPU, "nginx", "-c", conf, "-p", prefix, "-g", "daemon off;"])
    try:
        wait_for(port)
        wait_for(tls_port)
        py = [args.python, os.path.join(BENCH, "py_clients.py")]

        def py_entries(work: str, url: str, extra: Sequence[str] = ()) -> List[Entry]:
            return [Entry(label, measured([*py, work, client, url, *extra])) for label, client in
                    (("zdkit Python", "zdkit"), ("http.client + json.loads", "httpclient"),
                     ("pycurl + json.loads", "pycurl"), ("requests", "requests"), ("httpx", "httpx"))]

        floor, floor_sj, zc = built["floor"], built["floor_simdjson"], built["zdkit_c"]
        me = "/api/v2/users/me.json"
        cli_env = {"ZENDESK_URL": base, "ZENDESK_OAUTH_TOKEN": "bench-token"}
        works = [
            Work("W1", "2,000 × GET users/me", "bare libcurl C (no parse)", [
                Entry("bare libcurl C (no parse)", measured([floor, "w1", base + me, "2000"])),
                Entry("bare libcurl C + simdjson", measured([floor_sj, "w1", base + me, "2000"])),
                Entry("zdkit C", measured([zc, "w1", base, "2000"])),
                *py_entries("w1", base)]),
            Work("W2", f"100,000 tickets, 1,000 cursor pages of 100 (~{site_megabytes(site)} MB)", "bare libcurl C (no parse)", [
                Entry("bare libcurl C (no parse)", measured([floor, "w2", base + "/api/v2/tickets.json?page%5Bsize%5D=100"])),
                Entry("bare libcurl C + simdjson", measured([floor_sj, "w2", base + "/api/v2/tickets.json?page%5Bsize%5D=100"])),
                Entry("zdkit C", measured([zc, "w2", base])),
                *py_entries("w2", base)]),
            Work("W3", "2,000 × GET users/me over HTTPS", "bare libcurl C (no parse)", [
                Entry("bare libcurl C (no parse)", measured([floor, "w1", tls_base + me, "2000", cert])),
                Entry("bare libcurl C + simdjson", measured([floor_sj, "w1", tls_base + me, "2000", cert])),
                Entry("zdkit C", measured([zc, "w1", tls_base, "2000", cert])),
                *py_entries("w3", tls_base, [cert])]),
            Work("W4", "export of 100,000 tickets to a JSON Lines file", "bare libcurl C + simdjson", [
                Entry("bare libcurl C + simdjson", measured([floor_sj, "w4",
                      base + "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1000", jsonl])),
                Entry("zdkit C", measured([zc, "w4", base, jsonl])),
                Entry("zdkit export (CLI, whole process)",
                      measured([args.python, "-m", "zdkit", "export", "tickets", "--out", jsonl]),
                      env=cli_env, wall=True)]),
            Work("W5", "2,000 × GET users/me: 16 threads on one client (time ÷ 1 thread's)", "zdkit C, 1 thread", [
                Entry("zdkit C, 1 thread", measured([zc, "w5", base, "2000", "1"])),
                Entry("zdkit C, 16 threads", measured([zc, "w5", base, "2000", "16"])),
                Entry("zdkit Python, 1 thread", measured([*py, "w5-1", "zdkit", base])),
                Entry("zdkit Python, 16 threads", measured([*py, "w5-16", "zdkit", base]))]),
        ]
        if only:
            unknown = only - {work.name for work in works}
            if unknown:
                raise SystemExit(f"bench: no work named {', '.join(sorted(unknown))}")
            works = [work for work in works if work.name in only]
        if not _has_module(args.python, "pycurl"):
            raise SystemExit("bench: pycurl is missing from the venv (make bench installs it)")
        for work in works:
            print(f"bench: {work.name} {work.title}", flush=True)
            run_work(work, rounds, cleanup=jsonl if work.name == "W4" else None)

        # Memory of long exports: the same 1,000-ticket page served again and again.
        scaling: List[Tuple[int, str, int]] = []
        for pages in loop_pages if not only or "W4" in only else []:
            for label, argv, env in (
                ("zdkit C", [zc, "w4", loop_base, jsonl], {}),
                ("zdkit export (CLI)", [args.python, "-m", "zdkit", "export", "tickets", "--out", jsonl],
                 {"ZENDESK_URL": loop_base, "ZENDESK_OAUTH_TOKEN": "bench-token"}),
            ):
                run = run_once(Entry(label, measured(argv), env=env, wall=True), jsonl)
                scaling.append((pages * 1000, label, run.rss_kib))
                print(f"  export of {pages * 1000:,} tickets, {label}: peak RSS {run.rss_kib / 1024:.1f} MiB", flush=True)
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for path in (jsonl, jsonl + ".checkpoint", _RSS_FILE):
            if os.path.exists(path):
                os.unlink(path)

    table = render(works, scaling, rounds, partial)
    print(table)
    if not partial:
        replace_between(os.path.join(ROOT, "docs", "benchmarks.md"), table)
        replace_between(os.path.join(ROOT, "README.md"), readme_table(works, scaling))
    return 0


def _has_module(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def render(works: List[Work], scaling: List[Tuple[int, str, int]], rounds: int, quick: bool) -> str:
    lines = [f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {machine()}; "
             f"median of {rounds} pair-by-pair rounds{' (a partial or quick run)' if quick else ''}. "
             "Ratio = time ÷ the baseline's time in the same round (lower is faster).", ""]
    for work in works:
        lines += [f"**{work.name}: {work.title}** (baseline: {work.baseline})", "",
                  "| client | ratio | median time | peak RSS |", "|---|---|---|---|"]
        for entry in work.entries:
            seconds = statistics.median(run.seconds for run in entry.runs)
            rss = max(run.rss_kib for run in entry.runs) / 1024
            lines.append(f"| {entry.label} | {fmt_ratio(work.ratios[entry.label])} | {seconds:.3f} s | {rss:.1f} MiB |")
        if work.name == "W5":
            def speedup(one: str, many: str) -> float:
                return statistics.median(a / b for a, b in zip(work.ratios[one], work.ratios[many]))
            lines.append(f"Throughput with 16 threads ÷ with 1 thread: C {speedup('zdkit C, 1 thread', 'zdkit C, 16 threads'):.2f}×, "
                         f"Python {speedup('zdkit Python, 1 thread', 'zdkit Python, 16 threads'):.2f}× (target ≥ 1.7×).")
        lines.append("")
    if scaling:
        lines += ["**Peak RSS of an export by its length** (the same 1,000-ticket page served again)", "",
                  "| tickets | client | peak RSS |", "|---|---|---|"]
        lines += [f"| {n:,} | {label} | {rss / 1024:.1f} MiB |" for n, label, rss in scaling]
        lines.append("")
    return "\n".join(lines)


def ratio_of(work: Work, label: str) -> str:
    return fmt_ratio(work.ratios[label])


def readme_table(works: List[Work], scaling: List[Tuple[int, str, int]]) -> str:
    by = {work.name: work for work in works}
    w1, w2, w3, w4, w5 = by["W1"], by["W2"], by["W3"], by["W4"], by["W5"]
    rss = max((r for _, label, r in scaling if label == "zdkit export (CLI)"), default=0) / 1024
    return "\n".join([
        f"Ratios to a bare-libcurl C loop (lower is faster), `make bench` on {', '.join(machine().split(', ')[:2])}:",
        "",
        "| work | zdkit C | zdkit Python | pycurl + json.loads | requests | httpx |",
        "|---|---|---|---|---|---|",
        *(f"| {w.name}: {w.title} | {ratio_of(w, 'zdkit C')} | {ratio_of(w, 'zdkit Python')} | "
          f"{ratio_of(w, 'pycurl + json.loads')} | {ratio_of(w, 'requests')} | {ratio_of(w, 'httpx')} |"
          for w in (w1, w2, w3)),
        "",
        f"W4, `zdkit export tickets` to JSONL: zdkit C {ratio_of(w4, 'zdkit C')}, the CLI "
        f"{ratio_of(w4, 'zdkit export (CLI, whole process)')} of libcurl + simdjson; peak RSS "
        f"{rss:.0f} MiB up to {max((n for n, _, _ in scaling), default=0):,} tickets. "
        f"W5, 16 threads on one client: {1 / statistics.median(w5.ratios['zdkit C, 16 threads']):.2f}× "
        "the throughput of 1 thread (C). Full table, times and memory: docs/benchmarks.md.",
    ])


def replace_between(path: str, text: str) -> None:
    with open(path, encoding="utf-8") as handle:
        content = handle.read()
    start, end = content.find(MARK_BEGIN), content.find(MARK_END)
    if start < 0 or end < start:
        print(f"bench: no markers in {path}; not updated", file=sys.stderr)
        return
    content = content[:start + len(MARK_BEGIN)] + "\n" + text + "\n" + content[end:]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)


if __name__ == "__main__":
    raise SystemExit(main())
