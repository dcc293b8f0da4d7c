#!/usr/bin/python3
"""IoT Core identities at scale: N devices with passwords connect to `serve --mqtt` (first
connects: every password hashed with PBKDF2 on the worker threads), all drop, and all come back
(a network blip: verified passwords are remembered, so reconnects skip the hash).

    tests/bench/iot_connect_storm.py [--devices 10000] [--binary build/app/iotcore-studio]

Prints the time and rate of both waves and the broker's RSS. Not part of CTest: run on demand.
Provisioning imports the devices in one `import yc` (it hashes every password once, which takes
a while for 10,000 devices).
"""

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def device_id(i):
    return "are" + ("%017d" % i)  # 20 characters of [0-9a-z], as the service's ids


def provision(binary, workspace, count):
    registry = "are" + "r" * 17
    devices = [{"id": device_id(i), "registry_id": registry, "name": "dev-%d" % i,
                "created_at": "2026-11-25T00:00:00Z"} for i in range(count)]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "registry.json"), "w") as f:
            json.dump({"id": registry, "name": "bench", "created_at": "2026-11-25T00:00:00Z",
                       "status": "ACTIVE"}, f)
        with open(os.path.join(d, "devices.json"), "w") as f:
            json.dump(devices, f)
        done = subprocess.run([binary, "import", "yc", "-w", workspace,
                               os.path.join(d, "registry.json"), os.path.join(d, "devices.json")],
                              capture_output=True, text=True, check=True)
    passwords = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    return [(device_id(i), passwords[device_id(i)]) for i in range(count)]


def connect_packet(client_id, username, password):
    def s(b):
        return len(b).to_bytes(2, "big") + b
    body = s(b"MQTT") + bytes([4, 0xC2]) + (60).to_bytes(2, "big")
    body += s(client_id.encode()) + s(username.encode()) + s(password.encode())
    length, encoded = len(body), b""
    while True:
        byte, length = length % 128, length // 128
        encoded += bytes([byte | (0x80 if length else 0)])
        if not length:
            break
    return b"\x10" + encoded + body


async def connect(port, identity, writers, failures, limit):
    async with limit:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(connect_packet("c-" + identity[0], *identity))
            connack = await asyncio.wait_for(reader.readexactly(4), 120)
            if connack[3] != 0:
                failures.append(connack[3])
                writer.close()
                return
            writers.append(writer)
        except Exception as error:  # noqa: BLE001 - a failure is counted, not raised
            failures.append(str(error))


async def wave(port, identities, parallel):
    writers, failures = [], []
    limit = asyncio.Semaphore(parallel)
    started = time.monotonic()
    await asyncio.gather(*(connect(port, i, writers, failures, limit) for i in identities))
    return time.monotonic() - started, writers, failures


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10000)
    parser.add_argument("--parallel", type=int, default=500, help="connects in progress at once")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "app", "iotcore-studio"))
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # one descriptor per device

    with tempfile.TemporaryDirectory() as d:
        workspace = os.path.join(d, "bench.iotcore")
        t = time.monotonic()
        identities = provision(args.binary, workspace, args.devices)
        print("provisioned %d devices in %.1f s" % (len(identities), time.monotonic() - t))
        serve = subprocess.Popen([args.binary, "serve", "-w", workspace, "--mqtt", "127.0.0.1:0",
                                  "--log-level", "warning"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(re.search(r":(\d+)$", serve.stdout.readline().strip()).group(1))
            seconds, writers, failures = await wave(port, identities, args.parallel)
            print("first connects: %d in %.2f s (%.0f/s), %d failed; broker RSS %.1f MB"
                  % (len(writers), seconds, len(writers) / seconds, len(failures), rss_mb(serve.pid)))
            for w in writers:
                w.transport.abort()  # the blip: connections lost without DISCONNECT
            await asyncio.sleep(1.0)
            seconds, writers, failures = await wave(port, identities, args.parallel)
            print("reconnects:     %d in %.2f s (%.0f/s), %d failed; broker RSS %.1f MB"
                  % (len(writers), seconds, len(writers) / seconds, len(failures), rss_mb(serve.pid)))
            for w in writers:
                w.transport.abort()
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
