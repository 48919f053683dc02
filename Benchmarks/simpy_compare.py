#!/usr/bin/env python3
"""presence-sim against SimPy on the same heartbeat-and-expiry model.

Usage (from the repository root):

    python3 Benchmarks/simpy_compare.py                      # 10k and 100k clients, 1 simulated hour
    python3 Benchmarks/simpy_compare.py --clients 10000 --duration 600
    python3 Benchmarks/simpy_compare.py --binary .build/release/presence-sim
    python3 Benchmarks/simpy_compare.py --targets          # the engine targets, side by side in one run

The script re-runs itself inside a virtual environment (Benchmarks/.venv) with SimPy installed from PyPI,
builds presence-sim in release mode unless `--binary` names one, runs the SimPy model and presence-sim's
`Benchmarks/heartbeat-expiry.json` on both engines at each client count, and prints events per second
and the ratios.

The model (the scenario file says the same): every client is alone in its room. A client comes online for
an exponential spell (mean 4 min) and goes offline for an exponential gap (mean 2 min); it starts online
with the long-run share of time online (2/3), its first connection spread over one heartbeat. Online, it
connects (a connect message to the server, a connected message back), sends a heartbeat at once and every
20 s after. The server keeps a TTL store: an entry lives 60 s after its last heartbeat. Expiry is exact:
the server sleeps until the earliest expiry and removes what is due, keeping a heap of expiry instants
that is re-queued lazily when a refreshed entry reaches its head (as presence-sim's store does). Every
spell ends silently, so every departed client's entry expires. The network has zero latency, and a
message is an event of its own, as in presence-sim.

What is equal and what is not:

- Same events: a spell's start and end, the connect and connected messages, every heartbeat timer and
  every heartbeat message, the timer that fires once after the spell has ended (and does nothing), one
  expiry wake-up per expiring entry, and a sample every simulated minute. SimPy adds two events per
  spell (a session process's start and end); the counts are printed so you can see it.
- Different random streams: SimPy draws from Python's `random`, presence-sim from its own per-client
  streams, so counts differ by a fraction of a percent; `events/s` is per engine's own count, and the
  `wall ×` column compares the wall time of the same simulated work (clients × duration).
- presence-sim does more per event than the SimPy model: it scores every view against ground truth,
  counts bytes and store operations, and writes a report. The SimPy model does only the protocol.
- Wall time covers building the population and running to the end on both sides (for presence-sim, the
  report's `run.wallSeconds`; writing the report files is not included).
"""

import argparse
import heapq
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

SIMPY_VERSION = "4.1.1"
BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
VENV = BENCHMARKS / ".venv"
SCENARIO = BENCHMARKS / "heartbeat-expiry.json"

# The model's numbers; they must match Benchmarks/heartbeat-expiry.json.
HEARTBEAT = 20.0
TTL = 60.0
ONLINE_MEAN = 240.0
OFFLINE_MEAN = 120.0
SAMPLE_STEP = 60.0


def ensure_venv():
    """Re-executes the script with the virtual environment's Python, creating it on first use."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        print(f"creating {VENV} and installing simpy=={SIMPY_VERSION} from PyPI", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    check = subprocess.run([str(python), "-c", f"import simpy; assert simpy.__version__ == '{SIMPY_VERSION}'"],
                           capture_output=True)
    if check.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"simpy=={SIMPY_VERSION}"], check=True)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


# MARK: The SimPy model


class Server:
    """The presence server: a TTL store with exact expiry."""

    def __init__(self, env):
        self.env = env
        self.expires_at = {}  # client -> when its entry expires
        self.queued_at = {}  # client -> the instant of its one item in the expiry heap
        self.heap = []  # (instant, client)
        self.scheduled = float("inf")  # the expiry wake-up already scheduled
        self.joined = 0
        self.expired = 0
        self.heartbeats = 0

    # Every input first expires what is due and afterwards schedules the next expiry wake-up.
    def _before(self):
        now = self.env.now
        if self.scheduled <= now:
            self.scheduled = float("inf")
        self._expire(now)

    def _after(self):
        next_expiry = self._next_expiry()
        if next_expiry is not None and next_expiry < self.scheduled:
            self.scheduled = next_expiry
            self.env.timeout(next_expiry - self.env.now).callbacks.append(self.on_expiry)

    def on_connect(self, event):
        self._before()
        event.value.succeed()  # the connected message back to the client
        self._after()

    def on_heartbeat(self, event):
        self._before()
        client = event.value
        now = self.env.now
        self.heartbeats += 1
        expires_at = now + TTL
        old = self.expires_at.get(client)
        if old is None:
            self.queued_at[client] = expires_at
            heapq.heappush(self.heap, (expires_at, client))
        if old is None or old <= now:
            self.joined += 1
        self.expires_at[client] = expires_at
        self._after()

    def on_expiry(self, event):
        self._before()
        self._after()

    def _prune(self):
        """Drops heap items whose entry is gone and re-queues refreshed entries, until the head is exact."""
        heap = self.heap
        while heap:
            at, client = heap[0]
            if self.queued_at.get(client) != at:
                heapq.heappop(heap)
                continue
            expires_at = self.expires_at[client]
            if expires_at == at:
                return
            heapq.heapreplace(heap, (expires_at, client))
            self.queued_at[client] = expires_at

    def _next_expiry(self):
        self._prune()
        return self.heap[0][0] if self.heap else None

    def _expire(self, now):
        while True:
            self._prune()
            if not self.heap or self.heap[0][0] > now:
                return
            _, client = heapq.heappop(self.heap)
            del self.expires_at[client]
            del self.queued_at[client]
            self.expired += 1


class Client:
    def __init__(self, env, server, index, rng):
        self.env = env
        self.server = server
        self.index = index
        self.rng = rng
        self.in_spell = False
        self.epoch = 0
        env.timeout(0).callbacks.append(self.start)

    def start(self, _):
        rng = self.rng
        if rng.random() < ONLINE_MEAN / (ONLINE_MEAN + OFFLINE_MEAN):
            offset = rng.random() * HEARTBEAT
        else:
            offset = rng.random() * rng.expovariate(1 / OFFLINE_MEAN)
        self.env.timeout(offset).callbacks.append(self.come_online)

    def come_online(self, _):
        if self.in_spell:
            return
        self.in_spell = True
        self.env.timeout(self.rng.expovariate(1 / ONLINE_MEAN)).callbacks.append(self.end_spell)
        self.epoch += 1
        self.env.process(self.session(self.epoch))

    def end_spell(self, _):
        # Every spell ends silently: nothing is sent, the entry expires on its own.
        self.in_spell = False
        self.epoch += 1
        self.env.timeout(self.rng.expovariate(1 / OFFLINE_MEAN)).callbacks.append(self.come_online)

    def send(self, handler, value):
        """A message over the zero-latency network: an event of its own."""
        self.env.timeout(0, value).callbacks.append(handler)

    def session(self, epoch):
        env = self.env
        connected = env.event()
        self.send(self.server.on_connect, connected)
        yield connected
        self.send(self.server.on_heartbeat, self.index)
        while True:
            yield env.timeout(HEARTBEAT)
            if self.epoch != epoch:
                return  # the spell has ended: this timer is stale
            self.send(self.server.on_heartbeat, self.index)


def run_simpy(clients, duration, seed):
    import simpy

    started = time.perf_counter()
    env = simpy.Environment()
    server = Server(env)
    rng = random.Random(seed)
    population = [Client(env, server, index, rng) for index in range(clients)]

    def sample(_):
        blackhole = sum(1 for client in population if client.in_spell)
        del blackhole
        env.timeout(SAMPLE_STEP).callbacks.append(sample)

    env.timeout(SAMPLE_STEP).callbacks.append(sample)
    events = 0
    step, peek = env.step, env.peek
    while peek() <= duration:
        step()
        events += 1
    wall = time.perf_counter() - started
    return {"events": events, "wall": wall, "heartbeats": server.heartbeats, "expired": server.expired}


def run_simpy_plain(processes, duration, seed):
    """The plainest heartbeat loop: each process waits one timeout per heartbeat, forever."""
    import simpy

    started = time.perf_counter()
    env = simpy.Environment()
    rng = random.Random(seed)

    def beat(offset):
        yield env.timeout(offset)
        while True:
            yield env.timeout(HEARTBEAT)

    for _ in range(processes):
        env.process(beat(rng.random() * HEARTBEAT))
    events = 0
    step, peek = env.step, env.peek
    while peek() <= duration:
        step()
        events += 1
    return {"events": events, "wall": time.perf_counter() - started}


# MARK: presence-sim


def build_release():
    print("building presence-sim (release)…", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--scratch-path", ".build", "--product", "presence-sim"],
                   cwd=ROOT, check=True, stdout=sys.stderr)
    return ROOT / ".build" / "release" / "presence-sim"


def run_presence_sim(binary, engine, clients, duration, sets=()):
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [str(binary), "run", str(SCENARIO), "--engine", engine, "--quiet", "--out", out,
             "--set", f"clients={clients}", "--set", f"duration={int(duration)}s",
             *[argument for text in sets for argument in ("--set", text)]],
            check=True)
        process = time.perf_counter() - started
        report = json.loads(Path(out, "report.json").read_text())
    run = report["run"]
    cost = report.get("cost", {})
    return {"events": run["events"], "wall": run["wallSeconds"], "process": process, "peak": run["peakMemoryBytes"],
            "fingerprint": run["fingerprint"], "heartbeatsPerSecond": cost.get("heartbeatsPerSecond")}


def targets(binary, seed):
    """The engine targets, each measured side by side in this one run so that the machine's speed cancels."""
    plain = run_simpy_plain(10_000, 3600, seed)
    plain_rate = plain["events"] / plain["wall"]
    print(f"SimPy plain heartbeat loop, 10,000 processes x 1 h: {plain['events']:,} events in {plain['wall']:.2f} s "
          f"= {plain_rate:,.0f} events/s", flush=True)
    small = run_presence_sim(binary, "events", 10_000, 600)
    large = run_presence_sim(binary, "events", 1_000_000, 600)
    for name, result in (("10,000", small), ("1,000,000", large)):
        rate = result["events"] / result["wall"]
        print(f"events, heartbeat-expiry, {name} clients x 10 min: {result['events']:,} events in "
              f"{result['wall']:.2f} s = {rate:,.0f} events/s ({rate / plain_rate:.1f}x SimPy's), "
              f"{result['peak'] / int(name.replace(',', '')):,.0f} bytes per client peak", flush=True)
    per_event = (large["wall"] / large["events"]) / (small["wall"] / small["events"])
    print(f"cost per event at 1,000,000 clients over 10,000: {per_event:.2f}x", flush=True)
    always_online = ("behavior.online=never", "behavior.offline=never")
    for engine in ("events", "actors"):
        result = run_presence_sim(binary, engine, 10_000, 3600, always_online)
        print(f"{engine}, 10,000 always-online clients x 1 h, whole process: {result['process']:.2f} s "
              f"= {plain['wall'] / result['process']:.1f}x faster than the SimPy loop", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="10000,100000", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=3600, help="simulated seconds (default 3600)")
    parser.add_argument("--engines", default="events,actors", help="presence-sim engines to run")
    parser.add_argument("--binary", help="a built presence-sim (default: build it in release mode)")
    parser.add_argument("--seed", type=int, default=1, help="SimPy's random seed")
    parser.add_argument("--targets", action="store_true", help="measure the engine targets (README, Performance)")
    args = parser.parse_args()
    ensure_venv()

    binary = Path(args.binary) if args.binary else build_release()
    if args.targets:
        targets(binary, args.seed)
        return
    engines = [engine for engine in args.engines.split(",") if engine]
    print(f"{'clients':>9}  {'engine':<7} {'events':>12} {'wall s':>8} {'events/s':>12} {'ev/s ×':>7} "
          f"{'wall ×':>7}  peak MiB")
    for clients in (int(text) for text in args.clients.split(",")):
        simpy_run = run_simpy(clients, args.duration, args.seed)
        simpy_rate = simpy_run["events"] / simpy_run["wall"]
        print(f"{clients:>9,}  {'simpy':<7} {simpy_run['events']:>12,} {simpy_run['wall']:>8.2f} "
              f"{simpy_rate:>12,.0f} {'1.0':>7} {'1.0':>7}", flush=True)
        for engine in engines:
            result = run_presence_sim(binary, engine, clients, args.duration)
            rate = result["events"] / result["wall"]
            print(f"{clients:>9,}  {engine:<7} {result['events']:>12,} {result['wall']:>8.2f} {rate:>12,.0f} "
                  f"{rate / simpy_rate:>7.1f} {simpy_run['wall'] / result['wall']:>7.1f}  "
                  f"{result['peak'] / 2**20:>8.0f}", flush=True)
    print("ev/s ×: events/s over SimPy's; wall ×: SimPy's wall time over this engine's for the same simulated work.")


if __name__ == "__main__":
    main()
