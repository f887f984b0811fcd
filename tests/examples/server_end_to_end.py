#!/usr/bin/env python3
"""End to end over real UDP on loopback: the example server (examples/lwm2m-server) and 100
example clients (examples/lwm2m-client), driven through the server's JSON-lines interface.

Checks, each bounded in time (the whole test takes about 30 s, at most 60 s):
  1. 100 clients register (LwM2M 1.1 Core §6.2.1);
  2. a group Read of /3/0/0 over all 100, a group Write of /3311/0/5851 = 30 and a group Read
     back: every client answers (§6.3);
  3. Write-Attributes gt=50/lt=20 on the dimmer, Observe, then writes across and inside the
     thresholds: only the crossings are notified (§5.1.2, §6.4);
  4. Disable with a 3 s Disable Timeout (/1/0/5, then Execute /1/0/4): the client de-registers
     and registers again by itself after the timeout (§6.2.3, Object 1);
  5. the other operations on one client: Discover, partial Write with SenML content, Create
     and Delete, Read-Composite, Write-Composite, Observe-Composite with a notification and
     its cancellation (§6.3, §6.4);
  6. a client in Queue Mode (--queue, `Q`; §6.5): a Read issued while it sleeps is held by the
     server and answered after the client's next Update;
  7. every client is stopped (SIGTERM) and de-registers.
Every process is killed at the end.

usage: server_end_to_end.py SERVER_BINARY CLIENT_BINARY [--clients N] [--verbose]
"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("LWM2M_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                                "scripts"))
from demo_scenario import Server, free_udp_port, value_of  # noqa: E402

DEADLINE = 60.0  # seconds for the whole test


class Checks:
    def __init__(self):
        self.failures = 0

    def check(self, condition, text):
        print(("   ok    " if condition else "   FAIL  ") + text, flush=True)
        if not condition:
            self.failures += 1
        return condition


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in argv
    n = 100
    if "--clients" in argv:
        n = int(argv[argv.index("--clients") + 1])
        args.remove(str(n))
    if len(args) != 2:
        print(__doc__)
        return 2
    server_bin, client_bin = args
    started = time.monotonic()
    c = Checks()
    port = free_udp_port()
    server = Server(server_bin, port, verbose, ["--max-registrations", "1000", "--queue-awake", "2"])
    clients = {}

    def start_client(name, *extra):
        clients[name] = subprocess.Popen(
            [client_bin, "--server", f"coap://127.0.0.1:{port}", "--endpoint", name, "--lifetime", "60",
             "--lights", "1", "--strict", "--quiet", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        time.sleep(0.2)
        if not c.check(server.proc.poll() is None, "the server started"):
            return 1

        # 1. registration ----------------------------------------------------------------------
        names = [f"e2e-{i:03d}" for i in range(n)]
        print(f"1. {n} clients register", flush=True)
        for name in names:
            start_client(name)
        registered = set()
        deadline = time.monotonic() + 20
        while len(registered) < n and time.monotonic() < deadline:
            ev = server.wait_for(lambda m: m.get("event") == "registered", timeout=max(0.0, deadline - time.monotonic()))
            if ev:
                registered.add(ev["ep"])
        c.check(registered == set(names), f"{len(registered)} of {n} registered")
        listing = server.request({"op": "list"})
        c.check(bool(listing) and listing[0].get("count") == n, f"list: {listing[0].get('count') if listing else None} registrations")

        # 2. group read / write ----------------------------------------------------------------
        print("2. group operations over every client", flush=True)
        r = server.request({"op": "read", "group": names, "path": "/3/0/0"}, count=n)
        good = [m for m in r if m.get("status") == "2.05" and any(value_of(x) == "lwm2m toolkit" for x in m.get("content", []))]
        c.check(len(good) == n, f"group read /3/0/0: {len(good)} of {n} answered 2.05 'lwm2m toolkit'")
        r = server.request({"op": "write", "group": names, "path": "/3311/0/5851", "value": 30}, count=n)
        good = [m for m in r if m.get("status") == "2.04"]
        c.check(len(good) == n, f"group write /3311/0/5851=30: {len(good)} of {n} answered 2.04")
        r = server.request({"op": "read", "group": names, "path": "/3311/0/5851"}, count=n)
        good = [m for m in r if any(value_of(x) == 30 for x in m.get("content", []))]
        c.check(len(good) == n, f"group read back: {len(good)} of {n} dimmers at 30")

        # 3. observation with thresholds -------------------------------------------------------
        ep = names[0]
        dimmer = "/3311/0/5851"
        print(f"3. observe {ep} {dimmer} with gt=50, lt=20", flush=True)
        r = server.request({"op": "write-attributes", "ep": ep, "path": dimmer,
                            "attributes": {"pmin": 0, "pmax": 300, "gt": 50, "lt": 20}})
        c.check(bool(r) and r[0].get("status") == "2.04", f"write-attributes: {r[0] if r else 'no reply'}")
        r = server.request({"op": "observe", "ep": ep, "path": dimmer})
        c.check(bool(r) and r[0].get("status") == "2.05" and r[0].get("observing"), f"observe: {r[0] if r else 'no reply'}")
        observation = r[0]["id"] if r else None

        def notified(level, timeout):
            return server.wait_for(lambda m: m.get("event") == "notify" and m.get("id") == observation and
                                   any(value_of(x) == level for x in m.get("content", [])), timeout=timeout)

        for level, crosses in ((40, False), (60, True), (70, False), (10, True)):
            w = server.request({"op": "write", "ep": ep, "path": dimmer, "value": level})
            ok = bool(w) and w[0].get("status") == "2.04"
            got = notified(level, 5 if crosses else 1.5)
            if crosses:
                c.check(ok and got is not None, f"{level} crosses a threshold: notified")
            else:
                c.check(ok and got is None, f"{level} crosses no threshold: not notified")
        r = server.request({"op": "cancel-observe", "ep": ep, "path": dimmer})
        c.check(bool(r) and "error" not in r[0], "observation cancelled")

        # 4. disable with a short timeout ------------------------------------------------------
        ep = names[1]
        print(f"4. disable {ep} for 3 s", flush=True)
        r = server.request({"op": "write", "ep": ep, "path": "/1/0/5", "value": 3})
        c.check(bool(r) and r[0].get("status") == "2.04", "Disable Timeout /1/0/5 = 3")
        r = server.request({"op": "execute", "ep": ep, "path": "/1/0/4"})
        c.check(bool(r) and r[0].get("status") == "2.04", "Execute /1/0/4 (Disable)")
        gone = server.wait_for(lambda m: m.get("event") == "deregistered" and m.get("ep") == ep, timeout=5)
        gone_at = time.monotonic()
        c.check(gone is not None, f"{ep} de-registered")
        back = server.wait_for(lambda m: m.get("event") == "registered" and m.get("ep") == ep, timeout=10)
        after = time.monotonic() - gone_at
        c.check(back is not None and 2.5 <= after <= 8, f"{ep} registered again after {after:.1f} s")

        # 5. every other operation on one client ----------------------------------------------
        ep = names[2]
        print(f"5. discover, partial write, create/delete, composites on {ep}", flush=True)

        def status(reply):
            return reply[0].get("status") if reply else None

        def values(reply):
            return {x.get("n"): value_of(x) for x in (reply[0].get("content", []) if reply else [])}

        r = server.request({"op": "discover", "ep": ep, "path": "/3311/0"})
        c.check(status(r) == "2.05" and "</3311/0/5851>" in r[0].get("links", ""), f"discover /3311/0: {r}")
        r = server.request({"op": "write", "ep": ep, "path": "/3311/0", "partial": True,
                            "content": [{"bn": "/3311/0/", "n": "5850", "vb": True}, {"n": "5851", "v": 42}]})
        c.check(status(r) == "2.04", f"partial write of /3311/0: {r}")
        v = values(server.request({"op": "read", "ep": ep, "path": "/3311/0"}))
        c.check(v.get("/3311/0/5850") is True and v.get("/3311/0/5851") == 42, f"read back /3311/0: {v}")
        # (On/Off 5850 is mandatory and writable: a Create must give it, §6.3.6)
        r = server.request({"op": "create", "ep": ep, "path": "/3311",
                            "content": [{"n": "/3311/5/5850", "vb": True}, {"n": "/3311/5/5851", "v": 7}]})
        c.check(status(r) == "2.01" and r[0].get("location") == "/3311/5", f"create /3311/5: {r}")
        c.check(values(server.request({"op": "read", "ep": ep, "path": "/3311/5/5851"})).get("/3311/5/5851") == 7,
                "the created instance reads 7")
        c.check(status(server.request({"op": "delete", "ep": ep, "path": "/3311/5"})) == "2.02", "delete /3311/5")
        c.check(status(server.request({"op": "read", "ep": ep, "path": "/3311/5"})) == "4.04", "deleted: 4.04")
        v = values(server.request({"op": "read-composite", "ep": ep, "paths": ["/3/0/0", "/3311/0/5851"]}))
        c.check(v.get("/3/0/0") == "lwm2m toolkit" and v.get("/3311/0/5851") == 42, f"read-composite: {v}")
        r = server.request({"op": "write-composite", "ep": ep,
                            "content": [{"n": "/3311/0/5851", "v": 43}, {"n": "/3311/0/5850", "vb": False}]})
        c.check(status(r) == "2.04", f"write-composite: {r}")
        pair = ["/3311/0/5851", "/3311/0/5850"]
        r = server.request({"op": "observe-composite", "ep": ep, "paths": pair})
        c.check(status(r) == "2.05" and r[0].get("observing") is True and values(r).get("/3311/0/5851") == 43,
                f"observe-composite: {r}")
        composite = r[0]["id"] if r else None
        server.request({"op": "write", "ep": ep, "path": "/3311/0/5851", "value": 44})
        got = server.wait_for(lambda m: m.get("event") == "notify" and m.get("id") == composite and
                              {x.get("n"): value_of(x) for x in m.get("content", [])} ==
                              {"/3311/0/5851": 44, "/3311/0/5850": False}, timeout=5)
        c.check(got is not None, "observe-composite notified both values when one changed")
        r = server.request({"op": "cancel-observe", "ep": ep, "paths": pair})
        c.check(bool(r) and "error" not in r[0], f"observe-composite cancelled: {r}")

        # 6. queue mode ------------------------------------------------------------------------
        ep = "e2e-queue"
        print(f"6. {ep} in queue mode (awake 2 s, lifetime 10 s: Update every 5 s)", flush=True)
        clients[ep] = subprocess.Popen(
            [client_bin, "--server", f"coap://127.0.0.1:{port}", "--endpoint", ep, "--lifetime", "10",
             "--lights", "1", "--strict", "--quiet", "--queue", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        reg = server.wait_for(lambda m: m.get("event") == "registered" and m.get("ep") == ep, timeout=10)
        c.check(reg is not None and reg.get("queue") is True, f"registered with queue mode: {reg}")
        time.sleep(2.5)  # past both awake windows: the client sleeps, the server holds requests
        asked = time.monotonic()
        command = server.send({"op": "read", "ep": ep, "path": "/3/0/0"})
        early = server.wait_for(lambda m: m.get("id") == command, timeout=1.0)
        c.check(early is None, "a read while it sleeps is held (no answer within 1 s)")
        update = server.wait_for(lambda m: m.get("event") == "updated" and m.get("ep") == ep, timeout=10)
        reply = server.wait_for(lambda m: m.get("id") == command, timeout=10)
        waited = time.monotonic() - asked
        c.check(update is not None, f"{ep} woke up and sent an Update")
        c.check(reply is not None and reply.get("status") == "2.05" and update is not None,
                f"the held read was answered after the Update ({waited:.1f} s): {reply}")

        # 7. de-registration -------------------------------------------------------------------
        print("7. every client stops and de-registers", flush=True)
        for p in clients.values():
            p.send_signal(signal.SIGTERM)
        left = set(clients)
        deadline = time.monotonic() + 15
        while left and time.monotonic() < deadline:
            ev = server.wait_for(lambda m: m.get("event") == "deregistered" and m.get("ep") in left,
                                 timeout=max(0.0, deadline - time.monotonic()))
            if ev:
                left.discard(ev["ep"])
        c.check(not left, f"{len(clients) - len(left)} of {len(clients)} de-registered")
        c.check(server.proc.poll() is None, "the server is still running")
    finally:
        for p in clients.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        end = time.monotonic() + 5
        for p in clients.values():
            try:
                p.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        server.stop()

    total = time.monotonic() - started
    c.check(total < DEADLINE, f"finished in {total:.1f} s")
    if c.failures:
        print(f"server end to end: {c.failures} check(s) failed")
        return 1
    print("server end to end: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
