#!/usr/bin/env python3
"""Times GET /key/list pages on a real gateway (the Release build, a fresh SQLite file) holding 5,000 keys created
through /key/generate. Prints a markdown table (best of 20 calls each, measured from the client on loopback).

    dotnet build Switchyard.sln -c Release && python3 bench/dashboard-scale/keylist.py [--keys 5000]"""
import argparse, http.client, json, os, socket, subprocess, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MASTER = "sk-bench-master-key-0001"


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--keys", type=int, default=5000)
    args = a.parse_args()
    folder = tempfile.mkdtemp(prefix="sy-keylist-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = os.path.join(folder, "config.yaml")
    with open(config, "w") as f:
        f.write(f"model_list:\n  - model_name: chat\n    litellm_params: {{ model: mock/chat }}\ngeneral_settings:\n  master_key: {MASTER}\n"
                f"switchyard:\n  store:\n    sqlite_path: {folder}/switchyard.db\n")
    gw = subprocess.Popen([os.path.join(ROOT, "src/Switchyard/bin/Release/net10.0/switchyard"), "serve", "--config", config, "--port", str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = None
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port)
                conn.request("GET", "/health/liveliness")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {MASTER}", "Content-Type": "application/json"}

        def call(method, path, body=None):
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            r = conn.getresponse()
            data = r.read()
            assert r.status == 200, (r.status, data[:200])
            return data

        for team in range(50):
            call("POST", "/team/new", {"team_id": f"tenant-{team}"})
        t = time.perf_counter()
        for i in range(args.keys):
            call("POST", "/key/generate", {"team_id": f"tenant-{i % 50}", "key_alias": f"agent-{i}"})
        created = time.perf_counter() - t
        print(f"{args.keys:,} keys created in {created:.0f} s\n\n| /key/list call | best of 20 (ms) | answer (bytes) |\n|---|---:|---:|")
        for path in ["/key/list?size=100", "/key/list?size=100&page=50", "/key/list?size=100&page=50&return_full_object=true",
                     "/key/list?search=agent-49&size=100&return_full_object=true", "/key/list?team_id=tenant-7&size=100&return_full_object=true"]:
            best, size = 1e9, 0
            for _ in range(20):
                t = time.perf_counter()
                size = len(call("GET", path))
                best = min(best, (time.perf_counter() - t) * 1000)
            print(f"| `{path}` | {best:.1f} | {size:,} |")
    finally:
        gw.terminate()
        gw.wait()


if __name__ == "__main__":
    main()
