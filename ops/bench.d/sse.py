#!/usr/bin/env python3
"""SSE subscriber test for ops/bench: N open /board/events streams, then one booking change timed on all of them.

    sse.py --url http://127.0.0.1:5082 --cookie 'a=b; c=d' --pid APP_PID --streams 2000 \
           --booking 17 --psql '/usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p 55436 -U postgres -d photostudio_bench'

1. Raises its own open-file limit to what N streams need (says so when the hard limit is too low).
2. Reads the app's VmRSS, opens N streams (a few dozen connecting at a time) with the signed-in cookie and waits
   until every one has sent its hello frame (the app has no subscriber gauge: the hello is what says a stream is
   subscribed), then reads VmRSS again: KB per stream = the growth / N.
3. Announces one change as the app does (a board_events row and pg_notify on the "board" channel, one transaction)
   through a psql that is already connected, and times the frame with that event id on every stream, from just
   before the statement was sent.
Prints one JSON object on stdout; progress on stderr. Standard library only.
"""
import argparse
import asyncio
import json
import re
import resource
import shlex
import sys
import time
import urllib.parse

FRAME = re.compile(rb"id: (\d+)\nevent: booking-changed\n")


def say(text):
    print(f"sse: {text}", file=sys.stderr, flush=True)


def rss_kb(pid):
    """VmRSS and VmHWM of the process, in KB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, int(len(sorted_values) * p + 0.999999) - 1))]


class Stream:
    """One GET /board/events over a raw socket; remembers when each booking-changed event id arrived."""

    def __init__(self, host, port, path, cookie):
        self.request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                        f"Cookie: {cookie}\r\nConnection: keep-alive\r\n\r\n").encode("ascii")
        self.host, self.port = host, port
        self.status = None
        self.error = None
        self.hello = asyncio.Event()
        self.arrived = {}  # event id -> perf_counter
        self.writer = None

    async def run(self, connecting):
        try:
            async with connecting:
                reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.writer.write(self.request)
                await self.writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                self.status = int(head.split(b" ", 2)[1])
                if self.status != 200:
                    self.error = f"status {self.status}"
                    return
                tail = b""
                while not self.hello.is_set():
                    data = await reader.read(4096)
                    if not data:
                        self.error = "closed before hello"
                        return
                    tail = (tail + data)[-4096:]
                    if b"event: hello" in tail or b"event: resync" in tail:
                        self.hello.set()
            tail = b""
            while True:
                data = await reader.read(65536)
                now = time.perf_counter()
                if not data:
                    if self.error is None:
                        self.error = "closed by the app"
                    return
                tail = tail[-64:] + data
                for match in FRAME.finditer(tail):
                    self.arrived.setdefault(int(match.group(1)), now)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as e:
            self.error = type(e).__name__ + (f": {e}" if str(e) else "")
        finally:
            self.hello.set()  # nobody waits for a stream that failed

    def close(self):
        if self.writer is not None:
            self.writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--pid", type=int, required=True, help="the app's process id, for its RSS")
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--booking", type=int, required=True, help="the booking the change is about")
    parser.add_argument("--psql", required=True, help="psql command line connected to the app's database")
    parser.add_argument("--open-seconds", type=float, default=180)
    parser.add_argument("--arrive-seconds", type=float, default=10)
    parser.add_argument("--parallel", type=int, default=32, help="streams connecting at a time")
    parser.add_argument("--hold", type=float, default=0,
                        help="keep the streams open this many seconds after the change (to profile the app meanwhile)")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    result = {"streams_wanted": args.streams}

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = args.streams + 64
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    result["fd_limit"] = soft
    if soft < needed:
        say(f"the open-file limit is {soft} (hard {hard}), {needed} needed: raise it (ulimit -n {needed}) as root")

    psql = await asyncio.create_subprocess_exec(
        *shlex.split(args.psql), "-XqAt", "-v", "ON_ERROR_STOP=1",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    psql.stdin.write(b"select 'ready';\n")
    await psql.stdin.drain()
    if (await psql.stdout.readline()).strip() != b"ready":
        raise SystemExit("sse: psql did not start")

    result["rss_before_kb"], _ = rss_kb(args.pid)
    connecting = asyncio.Semaphore(args.parallel)
    streams = [Stream(url.hostname, url.port or 80, "/board/events", args.cookie) for _ in range(args.streams)]
    started = time.perf_counter()
    tasks = [asyncio.create_task(s.run(connecting)) for s in streams]
    say(f"opening {args.streams} streams, {args.parallel} at a time")
    try:
        await asyncio.wait_for(asyncio.gather(*(s.hello.wait() for s in streams)), args.open_seconds)
    except asyncio.TimeoutError:
        say(f"not every stream said hello within {args.open_seconds:.0f} s")
    opened = [s for s in streams if s.error is None and s.status == 200]
    result["open_seconds"] = round(time.perf_counter() - started, 2)
    result["streams_open"] = len(opened)
    errors = {}
    for s in streams:
        if s.error is not None:
            errors[s.error] = errors.get(s.error, 0) + 1
    result["open_errors"] = errors
    say(f"{len(opened)} streams open in {result['open_seconds']} s" + (f"; failed: {errors}" if errors else ""))

    await asyncio.sleep(1)  # let the app finish what opening left behind
    result["rss_open_kb"], result["hwm_open_kb"] = rss_kb(args.pid)
    grown = result["rss_open_kb"] - result["rss_before_kb"]
    result["kb_per_stream"] = round(grown / len(opened), 1) if opened else None

    # The change, as BoardAnnouncements makes it: an event row and a notification, committed together.
    sql = (f"begin;\ninsert into board_events (booking_id, kind, at) values ({args.booking}, 'bench', now()) returning id;\n"
           f"select pg_notify('board', '{args.booking}');\ncommit;\nselect 'committed';\n")
    sent = time.perf_counter()
    psql.stdin.write(sql.encode("ascii"))
    await psql.stdin.drain()
    event_id = None
    while True:
        line = (await psql.stdout.readline()).strip()
        if not line and psql.stdout.at_eof():
            raise SystemExit("sse: psql ended before the change was committed")
        if line.isdigit() and event_id is None:
            event_id = int(line)
        elif line == b"committed":
            break
    result["commit_ms"] = round((time.perf_counter() - sent) * 1000, 2)
    result["event_id"] = event_id

    deadline = time.perf_counter() + args.arrive_seconds
    while time.perf_counter() < deadline and any(event_id not in s.arrived and s.error is None for s in opened):
        await asyncio.sleep(0.01)
    delays = sorted((s.arrived[event_id] - sent) * 1000 for s in opened if event_id in s.arrived)
    result["received"] = len(delays)
    result["p50_ms"] = round(percentile(delays, 0.50), 2) if delays else None
    result["p99_ms"] = round(percentile(delays, 0.99), 2) if delays else None
    result["max_ms"] = round(delays[-1], 2) if delays else None
    say(f"event {event_id} (committed in {result['commit_ms']} ms) reached {len(delays)} of {len(opened)} streams: "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms")

    if args.hold > 0:
        say(f"holding the streams open for {args.hold:g} s")
        await asyncio.sleep(args.hold)
    for s in streams:
        s.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    psql.stdin.close()
    await psql.wait()
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
