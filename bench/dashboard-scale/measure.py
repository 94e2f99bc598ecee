#!/usr/bin/env python3
"""Dashboard at scale: times the spend aggregations GET /ui/api/spend runs (the stores' own SQL) on 1,000,000 spend
rows and 5,000 keys, before and after the dashboard indexes (SQLite v7, PostgreSQL v6), on a real SQLite file and a
real PostgreSQL server (a throwaway cluster: initdb + pg_ctl on a free port). Prints a markdown table.

    python3 bench/dashboard-scale/measure.py [--rows 1000000] [--keys 5000] [--sqlite-only]

Timings, not assertions: docs/performance.md ("Dashboard at scale") holds the figures of the last run."""
import argparse, os, random, shutil, socket, sqlite3, subprocess, tempfile, time

DAY_MS = 86_400_000
NOW_MS = 1_893_456_000_000  # 2030-01-01
SPEND_V5 = """
CREATE TABLE spend_logs (row_id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL, tenant_id TEXT, token_hash TEXT, alias TEXT NOT NULL,
  deployment TEXT, provider_family TEXT, model TEXT, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cost_nanos BIGINT NOT NULL,
  status INTEGER NOT NULL, latency_ms DOUBLE PRECISION NOT NULL, start_time {time} NOT NULL, user_id TEXT, request_id TEXT NOT NULL);
CREATE INDEX ix_spend_tenant_time ON spend_logs (tenant_id, start_time);
CREATE INDEX ix_spend_token_time ON spend_logs (token_hash, start_time);
CREATE INDEX ix_spend_user_time ON spend_logs (user_id, start_time);
CREATE INDEX ix_spend_request ON spend_logs (request_id);
"""
SQLITE_V7 = """
CREATE INDEX ix_spend_time_cover ON spend_logs (start_time, tenant_id, alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
CREATE INDEX ix_spend_tenant_cover ON spend_logs (tenant_id, start_time, alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
DROP INDEX ix_spend_tenant_time;
"""
PG_V6 = """
CREATE INDEX ix_spend_time_cover ON spend_logs (start_time) INCLUDE (tenant_id, alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
CREATE INDEX ix_spend_tenant_cover ON spend_logs (tenant_id, start_time) INCLUDE (alias, model, deployment, prompt_tokens, completion_tokens, cost_nanos);
DROP INDEX ix_spend_time;
DROP INDEX ix_spend_tenant_time;
"""


def rows(n, keys):
    rnd = random.Random(7)
    key_ids = [f"{rnd.getrandbits(256):064x}" for _ in range(keys)]
    for i in range(n):
        k = rnd.randrange(keys)
        p = rnd.randrange(0, 2000)
        yield (f"row-{i}", f"c-{i}", f"tenant-{k % 50}", key_ids[k], f"alias-{rnd.randrange(20)}", f"dep-{rnd.randrange(12)}", "openai",
               f"openai/model-{rnd.randrange(10)}", p, p // 4, p * 1000, 200, 12.5, NOW_MS - rnd.randrange(90 * DAY_MS), None, f"chatcmpl-{i}")


def queries(day_expr, t_from, tenant):
    out = []
    for by, key in [("model", "model"), ("tenant", "tenant_id"), ("alias", "alias"), ("day", day_expr)]:
        order = "k DESC" if by == "day" else f"spend DESC, COALESCE({key}, '')"
        for scope, where in [("all, 30 days", f"WHERE start_time >= {t_from}"), ("one tenant, 30 days", f"WHERE tenant_id = '{tenant}' AND start_time >= {t_from}")]:
            out.append((f"group_by={by}, {scope}",
                        f"SELECT {key} AS k, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_nanos) AS spend, "
                        f"SUM(CASE WHEN cost_nanos = 0 AND prompt_tokens + completion_tokens > 0 AND deployment IN ('dep-11') THEN 1 ELSE 0 END), COUNT(*) OVER () "
                        f"FROM spend_logs {where} GROUP BY k ORDER BY {order} LIMIT 50 OFFSET 0"))
    return out


def best_of(fn, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times)


def sqlite_run(n, keys):
    folder = tempfile.mkdtemp(prefix="sy-scale-")
    db = sqlite3.connect(os.path.join(folder, "switchyard.db"))
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SPEND_V5.format(time="INTEGER"))
    t = time.perf_counter()
    db.executemany("INSERT INTO spend_logs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows(n, keys))
    db.commit()
    load = time.perf_counter() - t
    db.execute("ANALYZE")
    qs = queries("strftime('%Y-%m-%d', start_time / 1000, 'unixepoch')", NOW_MS - 30 * DAY_MS, "tenant-7")
    before = {name: best_of(lambda: db.execute(sql).fetchall()) for name, sql in qs}
    t = time.perf_counter()
    db.executescript(SQLITE_V7)
    db.execute("ANALYZE")
    migrate = time.perf_counter() - t
    after = {name: best_of(lambda: db.execute(sql).fetchall()) for name, sql in qs}
    size = os.path.getsize(os.path.join(folder, "switchyard.db"))
    db.close()
    shutil.rmtree(folder)
    return before, after, load, migrate, size


def pg_run(n, keys):
    folder = tempfile.mkdtemp(prefix="sy-scale-pg-")
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = os.path.join(folder, "data")
    subprocess.run(run_as + ["initdb", "-D", data, "-U", "postgres", "-A", "trust"], check=True, capture_output=True)
    subprocess.run(run_as + ["pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "-w", "start"], check=True, capture_output=True)
    psql = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-q", "-X", "-v", "ON_ERROR_STOP=1"]
    try:
        def sql(text):
            return subprocess.run(psql, input=text, text=True, check=True, capture_output=True).stdout

        sql(SPEND_V5.format(time="timestamptz") + "CREATE INDEX ix_spend_time ON spend_logs (start_time);")
        t = time.perf_counter()
        proc = subprocess.Popen(psql + ["-c", "COPY spend_logs FROM STDIN"], stdin=subprocess.PIPE, text=True)
        for r in rows(n, keys):
            vals = list(r)
            vals[13] = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(vals[13] / 1000))
            proc.stdin.write("\t".join("\\N" if v is None else str(v) for v in vals) + "\n")
        proc.stdin.close()
        proc.wait()
        sql("VACUUM ANALYZE spend_logs;")
        load = time.perf_counter() - t
        qs = queries("to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD')", "'2029-12-02'::timestamptz", "tenant-7")

        def timed(q):
            # server-side execution time of the statement (psql's \\timing, best of three)
            out = sql("\\timing on\n" + (q + ";\n") * 3)
            return min(float(line.split()[1]) for line in out.splitlines() if line.startswith("Time:"))

        before = {name: timed(q) for name, q in qs}
        t = time.perf_counter()
        sql(PG_V6 + "VACUUM ANALYZE spend_logs;")
        migrate = time.perf_counter() - t
        after = {name: timed(q) for name, q in qs}
        return before, after, load, migrate, 0
    finally:
        subprocess.run(run_as + ["pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--rows", type=int, default=1_000_000)
    a.add_argument("--keys", type=int, default=5_000)
    a.add_argument("--sqlite-only", action="store_true")
    args = a.parse_args()
    stores = [("SQLite", sqlite_run)] + ([] if args.sqlite_only else [("PostgreSQL", pg_run)])
    for name, run in stores:
        before, after, load, migrate, size = run(args.rows, args.keys)
        print(f"\n{name}: {args.rows:,} rows, {args.keys:,} keys; load {load:.0f} s, index migration {migrate:.1f} s" + (f", file {size / 1e6:.0f} MB" if size else ""))
        print("| query (page of 50 groups) | before (ms) | after (ms) |\n|---|---:|---:|")
        for q in before:
            print(f"| {q} | {before[q]:.0f} | {after[q]:.0f} |")


if __name__ == "__main__":
    main()
