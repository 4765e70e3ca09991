#!/usr/bin/env python3
"""Cold-start benchmark driver (bench/coldstart.sh runs it).

Starts a fake of the two HTTP APIs a durable Lambda function talks to, on 127.0.0.1:
  * the Lambda Runtime API  (GET /2018-06-01/runtime/invocation/next, POST .../{id}/response | .../{id}/error)
  * the durable execution API's checkpoint call (POST /2025-12-01/durable-executions/{arn}/checkpoint), which also
    checks that every request is SigV4-signed.
Then it runs the JIT and the Native AOT build of examples/AotFunction alternately, each as a whole new process with
`--selftest`: the process runs the three-step workflow through DurableTestRunner, then serves one real invocation over
HTTP (Runtime API -> HandleAsync -> LambdaDurableExecutionClient checkpoints -> response) and exits. Every run is checked
(the response must be SUCCEEDED with the expected receipt, checkpoints must be signed). Wall time comes from the clock
around the process, peak RSS from wait4()'s rusage of that one child.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

ORDER = {"orderId": "o-1", "customer": " Ada ", "amount": 42.5, "items": ["book", "pen"]}
EXPECTED_RESULT = {"orderId": "o-1", "paymentId": "pay-o-1-4250", "status": "shipped", "items": 2}


class Fake:
    def __init__(self):
        self.lock = threading.Lock()
        self.seq = 0
        self.pending = None          # (request_id, envelope) handed out by the next "next"
        self.responses = {}          # request_id -> (kind, body)
        self.checkpoints = {}        # arn -> number of signed checkpoint requests
        self.unsigned = 0

    def new_invocation(self):
        with self.lock:
            self.seq += 1
            rid = f"req-{self.seq:04d}"
            arn = f"arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/run-{self.seq}/{self.seq:032x}"
            envelope = {
                "DurableExecutionArn": arn,
                "CheckpointToken": "t0",
                "InitialExecutionState": {"Operations": [{
                    "Id": f"{self.seq:032x}", "Type": "EXECUTION", "Status": "STARTED",
                    "StartTimestamp": int(time.time() * 1000),
                    "ExecutionDetails": {"InputPayload": json.dumps(ORDER, separators=(",", ":"))},
                }]},
            }
            self.pending = (rid, envelope)
            return rid, arn


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _reply(self, status, obj=None, headers=None):
            data = b"" if obj is None else json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/2018-06-01/runtime/invocation/next":
                with fake.lock:
                    pending, fake.pending = fake.pending, None
                if pending is None:
                    return self._reply(500, {"message": "no invocation queued"})
                rid, envelope = pending
                return self._reply(200, envelope, {
                    "Lambda-Runtime-Aws-Request-Id": rid,
                    "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30_000),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:orders",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                })
            self._reply(404, {"message": self.path})

        def do_POST(self):
            body = self._body()
            parts = self.path.split("/")
            if self.path.startswith("/2018-06-01/runtime/invocation/") and parts[-1] in ("response", "error"):
                with fake.lock:
                    fake.responses[parts[-2]] = (parts[-1], body.decode())
                return self._reply(202, {"status": "OK"})
            if self.path.startswith("/2025-12-01/durable-executions/") and self.path.endswith("/checkpoint"):
                auth = self.headers.get("Authorization", "")
                arn = unquote("/".join(parts[3:-1]))
                with fake.lock:
                    if auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDCOLDSTART/"):
                        fake.checkpoints[arn] = fake.checkpoints.get(arn, 0) + 1
                        token = f"t{fake.checkpoints[arn]}"
                    else:
                        fake.unsigned += 1
                        return self._reply(403, {"Type": "AccessDeniedException", "message": "unsigned"})
                json.loads(body)  # the body must be JSON
                return self._reply(200, {"CheckpointToken": token, "NewExecutionState": {"Operations": []}})
            self._reply(404, {"message": self.path})

    return Handler


def run_once(binary, fake, port):
    rid, arn = fake.new_invocation()
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{port}",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIDCOLDSTART",
        "AWS_SECRET_ACCESS_KEY": "coldstart-secret",
        "AWS_SESSION_TOKEN": "",
        "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
    })
    env.pop("AWS_SESSION_TOKEN")
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "--selftest"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    problems = []
    if proc.returncode != 0:
        problems.append(f"exit code {proc.returncode}")
    if "runner: Succeeded" not in out:
        problems.append("the test-runner run did not succeed")
    if f"lambda: served {rid}" not in out:
        problems.append("the Runtime API invocation was not served")
    kind, body = fake.responses.get(rid, (None, None))
    if kind != "response":
        problems.append(f"no invocation response (got {kind}: {body})")
    else:
        output = json.loads(body)
        if output.get("Status") != "SUCCEEDED" or json.loads(output.get("Result", "null")) != EXPECTED_RESULT:
            problems.append(f"unexpected output {body}")
    if fake.checkpoints.get(arn, 0) < 1:
        problems.append("no signed checkpoint reached the durable execution API")
    if problems:
        sys.exit(f"{binary}: run failed: {'; '.join(problems)}\n--- output ---\n{out}")
    return wall * 1000.0, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jit", required=True)
    ap.add_argument("--aot", required=True)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--markdown", help="also write the table to this file")
    args = ap.parse_args()

    fake = Fake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    binaries = {"JIT": args.jit, "Native AOT": args.aot}
    results = {name: [] for name in binaries}
    for name, path in binaries.items():        # one warm-up each (page cache), not counted
        run_once(path, fake, port)
    for _ in range(args.runs):                   # alternate, so both see the same machine load
        for name, path in binaries.items():
            results[name].append(run_once(path, fake, port))
    server.shutdown()

    def stats(name):
        walls = [w for w, _ in results[name]]
        rss = [r for _, r in results[name]]
        return statistics.median(walls), min(walls), statistics.median(rss)

    jit, aot = stats("JIT"), stats("Native AOT")
    size = {name: os.path.getsize(p) / (1024 * 1024) for name, p in binaries.items()}
    lines = [
        f"| Build | Wall time, median (ms) | Wall time, min (ms) | Peak RSS, median (MiB) |",
        f"|---|---:|---:|---:|",
        f"| JIT (framework-dependent) | {jit[0]:.0f} | {jit[1]:.0f} | {jit[2]:.1f} |",
        f"| Native AOT | {aot[0]:.0f} | {aot[1]:.0f} | {aot[2]:.1f} |",
    ]
    ratio = aot[0] / jit[0]
    print()
    print("\n".join(lines))
    print()
    print(f"runs per build: {args.runs} (alternating, after one warm-up each); every run checked (SUCCEEDED receipt, signed checkpoints)")
    print(f"AOT bootstrap size: {size['Native AOT']:.1f} MiB")
    print(f"AOT/JIT wall time: {ratio * 100:.1f} % (target <= 25 %); AOT/JIT peak RSS: {aot[2] / jit[2] * 100:.1f} %")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n\n" + f"AOT/JIT wall time: {ratio * 100:.1f} %, peak RSS: {aot[2] / jit[2] * 100:.1f} %\n")


if __name__ == "__main__":
    main()
