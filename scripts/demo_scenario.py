#!/usr/bin/env python3
"""The streetlight demo (README quick start, command 1): a scripted scenario on loopback.

Starts `lwm2m-server` and three `lwm2m-client` streetlights, then drives the server through
its JSON-lines interface (one command per stdin line, one reply or event per stdout line):
everyone registers; the server reads /3/0 of each light, switches all lights off as a group,
observes a dimmer with pmin/pmax and shows the notifications, executes a Registration Update
Trigger, disables one client for 10 seconds (Disable Timeout) and watches it come back by
itself, then everyone de-registers. Prints a transcript a person can read.

usage: demo_scenario.py SERVER_BINARY CLIENT_BINARY [--clients N] [--verbose]
Exit status 0 when every step got the expected answer, 1 otherwise.
"""

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time

STEP_TIMEOUT = 20.0  # seconds any one step may take


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The lwm2m-server process: commands in, replies and events out (a reader thread)."""

    def __init__(self, binary, port, verbose, extra_args=()):
        self.proc = subprocess.Popen(
            [binary, "--address", "127.0.0.1", "--port", str(port), *extra_args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.pending = []  # lines read but not consumed yet
        self.verbose = verbose
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            if self.verbose:
                print(f"      < {line}")
            try:
                self.lines.put(json.loads(line))
            except json.JSONDecodeError:
                self.lines.put({"unparsable": line})

    def _drain_stderr(self):
        for line in self.proc.stderr:
            if self.verbose:
                print(f"      server: {line.rstrip()}")

    def send(self, command):
        command = dict(command, id=self.next_id)
        self.next_id += 1
        text = json.dumps(command)
        if self.verbose:
            print(f"      > {text}")
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return command["id"]

    def wait_for(self, predicate, timeout=STEP_TIMEOUT):
        """The first line (seen before or arriving within `timeout`) matching `predicate`."""
        for i, m in enumerate(self.pending):
            if predicate(m):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                m = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if predicate(m):
                return m
            self.pending.append(m)

    def replies(self, command_id, count, timeout=STEP_TIMEOUT):
        """`count` replies to command `command_id` (one per endpoint of a group)."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            m = self.wait_for(lambda m: m.get("id") == command_id, max(0.0, deadline - time.monotonic()))
            if m is None:
                break
            got.append(m)
        return got

    def request(self, command, count=1):
        return self.replies(self.send(command), count)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def value_of(record):
    for key in ("v", "vs", "vb", "vd", "vlo"):
        if key in record:
            return record[key]
    return None


class Transcript:
    def __init__(self):
        self.failures = 0
        self.step_no = 0

    def step(self, title):
        self.step_no += 1
        print(f"\n{self.step_no}. {title}")

    def ok(self, text):
        print(f"   ok    {text}")

    def fail(self, text):
        self.failures += 1
        print(f"   FAIL  {text}")

    def check(self, condition, good, bad):
        (self.ok if condition else self.fail)(good if condition else bad)
        return condition


def status_line(reply):
    if reply is None:
        return "no reply"
    if "error" in reply:
        return f"error: {reply['error']}"
    return reply.get("status", "?")


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in argv
    n_clients = 3
    if "--clients" in argv:
        n_clients = int(argv[argv.index("--clients") + 1])
        args = [a for a in args if a != str(n_clients)]
    if len(args) != 2:
        print(__doc__)
        return 2
    server_bin, client_bin = args
    port = free_udp_port()
    names = [f"light-{i + 1}" for i in range(n_clients)]
    t = Transcript()

    print(f"lwm2m streetlight demo: 1 server on 127.0.0.1:{port}, {n_clients} clients")
    server = Server(server_bin, port, verbose)
    clients = {}
    try:
        time.sleep(0.3)
        if server.proc.poll() is not None:
            print("the server did not start")
            return 1

        # ---- registration ---------------------------------------------------------------------
        t.step(f"Start {n_clients} streetlight clients; each registers")
        for name in names:
            clients[name] = subprocess.Popen(
                [client_bin, "--server", f"coap://127.0.0.1:{port}", "--endpoint", name, "--lifetime", "60",
                 "--lights", "2", "--strict", "--quiet"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        registered = {}
        for name in names:
            ev = server.wait_for(lambda m, n=name: m.get("event") == "registered" and m.get("ep") == n)
            if ev:
                registered[name] = ev
        t.check(len(registered) == n_clients, f"{len(registered)} of {n_clients} registered",
                f"only {len(registered)} of {n_clients} registered")

        print()
        print(f"   {'endpoint':<10} {'lwm2m':<6} {'lifetime':>8}  {'binding':<7} objects")
        for name in names:
            ev = registered.get(name)
            if ev:
                objs = " ".join(ev.get("objects", []))
                print(f"   {name:<10} {ev.get('version', '?'):<6} {ev.get('lifetime', '?'):>8}  "
                      f"{ev.get('binding', '?'):<7} {objs}")

        listing = server.request({"op": "list"})
        if listing:
            t.check("error" not in listing[0], "the server lists its registrations",
                    f"list failed: {status_line(listing[0])}")

        # ---- read /3/0 of each ------------------------------------------------------------------
        t.step("Read the Device object /3/0 of each light")
        print(f"   {'endpoint':<10} {'manufacturer':<24} {'model':<16} {'firmware':<10}")
        for name in names:
            r = server.request({"op": "read", "ep": name, "path": "/3/0"})
            reply = r[0] if r else None
            if reply and reply.get("status") == "2.05":
                values = {rec.get("n"): value_of(rec) for rec in reply.get("content", [])}
                print(f"   {name:<10} {str(values.get('/3/0/0', '')):<24} {str(values.get('/3/0/1', '')):<16} "
                      f"{str(values.get('/3/0/3', '')):<10}")
                if "/3/0/0" not in values:
                    t.fail(f"{name}: no manufacturer in the answer")
            else:
                t.fail(f"{name}: read /3/0 -> {status_line(reply)}")
        if t.failures == 0:
            t.ok("every light answered 2.05 Content")

        # ---- group write ------------------------------------------------------------------------
        t.step("Switch every light off with one group command (write /3311/0/5850 = false)")
        r = server.request({"op": "write", "group": names, "path": "/3311/0/5850", "value": False}, count=n_clients)
        codes = {m.get("ep"): status_line(m) for m in r}
        for name in names:
            print(f"   {name:<10} {codes.get(name, 'no reply')}")
        t.check(len(r) == n_clients and all(c == "2.04" for c in codes.values()),
                "all lights answered 2.04 Changed", "not every light answered 2.04")
        r = server.request({"op": "read", "group": names, "path": "/3311/0/5850"}, count=n_clients)
        offs = [m for m in r if any(value_of(rec) is False for rec in m.get("content", []))]
        t.check(len(offs) == n_clients, "reading them back: every light is off",
                f"only {len(offs)} of {n_clients} read back as off")

        # ---- observe a dimmer -------------------------------------------------------------------
        first = names[0]
        dimmer = "/3311/0/5851"
        t.step(f"Observe the dimmer {dimmer} of {first} with pmin=1 s, pmax=5 s")
        r = server.request({"op": "write-attributes", "ep": first, "path": dimmer, "attributes": {"pmin": 1, "pmax": 5}})
        t.check(r and r[0].get("status") == "2.04", "write-attributes pmin=1&pmax=5: 2.04",
                f"write-attributes: {status_line(r[0] if r else None)}")
        r = server.request({"op": "observe", "ep": first, "path": dimmer})
        reply = r[0] if r else None
        initial = value_of(reply["content"][0]) if reply and reply.get("content") else None
        t.check(reply is not None and reply.get("status") == "2.05", f"observation started, current value {initial}",
                f"observe: {status_line(reply)}")
        for level in (40, 75):
            w = server.request({"op": "write", "ep": first, "path": dimmer, "value": level})
            ok = w and w[0].get("status") == "2.04"
            ev = server.wait_for(lambda m, lv=level: m.get("event") == "notify" and m.get("ep") == first and
                                 any(value_of(rec) == lv for rec in m.get("content", [])), timeout=10)
            t.check(ok and ev is not None, f"dimmer set to {level}: notification {level} received",
                    f"dimmer set to {level}: write {status_line(w[0] if w else None)}, notification "
                    f"{'received' if ev else 'missing'}")
        start = time.monotonic()
        ev = server.wait_for(lambda m: m.get("event") == "notify" and m.get("ep") == first, timeout=8)
        t.check(ev is not None, f"pmax: an unchanged value is re-notified ({time.monotonic() - start:.1f} s later)",
                "no notification within pmax")
        r = server.request({"op": "cancel-observe", "ep": first, "path": dimmer})
        t.check(r and "error" not in r[0], "observation cancelled", f"cancel: {status_line(r[0] if r else None)}")

        # ---- registration update trigger --------------------------------------------------------
        second = names[1 % n_clients]
        t.step(f"Execute the Registration Update Trigger /1/0/8 on {second}")
        r = server.request({"op": "execute", "ep": second, "path": "/1/0/8"})
        t.check(r and r[0].get("status") == "2.04", "execute: 2.04 Changed",
                f"execute: {status_line(r[0] if r else None)}")
        ev = server.wait_for(lambda m: m.get("event") == "updated" and m.get("ep") == second)
        t.check(ev is not None, f"{second} sent a Registration Update", "no update arrived")

        # ---- disable ----------------------------------------------------------------------------
        third = names[2 % n_clients]
        t.step(f"Disable {third} for 10 s (Disable Timeout /1/0/5 = 10, then execute /1/0/4)")
        r = server.request({"op": "write", "ep": third, "path": "/1/0/5", "value": 10})
        t.check(r and r[0].get("status") == "2.04", "Disable Timeout set to 10 s",
                f"write /1/0/5: {status_line(r[0] if r else None)}")
        r = server.request({"op": "execute", "ep": third, "path": "/1/0/4"})
        t.check(r and r[0].get("status") == "2.04", "Disable executed", f"execute /1/0/4: {status_line(r[0] if r else None)}")
        gone_at = time.monotonic()
        ev = server.wait_for(lambda m: m.get("event") == "deregistered" and m.get("ep") == third)
        t.check(ev is not None, f"{third} de-registered", f"{third} did not de-register")
        ev = server.wait_for(lambda m: m.get("event") == "registered" and m.get("ep") == third, timeout=30)
        back = time.monotonic() - gone_at
        t.check(ev is not None and back >= 9, f"{third} registered again by itself after {back:.1f} s",
                f"{third} did not come back" if ev is None else f"{third} came back too early ({back:.1f} s)")

        # ---- de-register ------------------------------------------------------------------------
        t.step("Stop every client: each de-registers")
        for proc in clients.values():
            proc.terminate()
        gone = 0
        for name in names:
            if server.wait_for(lambda m, n=name: m.get("event") == "deregistered" and m.get("ep") == n):
                gone += 1
        t.check(gone == n_clients, f"{gone} of {n_clients} de-registered", f"only {gone} of {n_clients} de-registered")
    finally:
        for proc in clients.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        server.stop()

    print()
    if t.failures:
        print(f"demo: {t.failures} step check(s) failed")
        return 1
    print("demo: every step succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
