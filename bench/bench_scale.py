"""How the costs around the analysis core grow with the number of answers (issue 14).

For each size (``--sizes``, default 10,000 and 100,000; the README also lists a 1,000,000 run) a
fresh SQLite store is filled by ``python -m analysis import`` from a JSON Lines file of synthetic
answers, then every command is timed as its own process, with its peak memory (the process and
its children, see ``run_measured``), next to a baseline measured in the same run:

* ``import``: answers per second (target >= 25,000/s) and peak memory (target < 1 GB at 1,000,000);
* ``export --format json`` against plain SQL + ``json.dumps`` of the same rows (target <= 1.5x);
* ``export --format html`` against ``stats`` (target <= 5x at 100,000);
* the Reports page's first visit (AppTest) against a bare Streamlit page (target < 5 s at 100,000);
* a cached review page revisit (Overview, AppTest) against a bare page's rerun (target within
  0.5 s at 10,000).

A final table prints time and peak memory per size, so a super-linear step shows.

    .venv/bin/python -m bench.bench_scale [--sizes 10000,100000,1000000] [--distributors 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synthetic import generate_responses

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 20_000
BASELINE_JSON = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
cur = conn.execute(
    "SELECT r.* FROM response_revisions r JOIN responses p ON p.id = r.response_id "
    "AND r.revision = p.latest_revision"
)
names = [d[0] for d in cur.description]
rows = cur.fetchall()
sys.stdout.write(json.dumps([dict(zip(names, row)) for row in rows], default=str))
"""


#: The least any import does, as a measure of the machine's speed in the same minutes: each line
#: read and decoded, and inserted into one table (no validation, no index, no other table) in one
#: transaction.
BASELINE_IMPORT = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[2])
conn.execute("CREATE TABLE answers (id TEXT, distributor TEXT, body TEXT)")
with open(sys.argv[1], encoding="utf-8") as lines, conn:
    rows = ((d.get("response_id"), d["distributor"], line) for line in lines for d in (json.loads(line),))
    conn.executemany("INSERT INTO answers VALUES (?, ?, ?)", rows)
conn.close()
"""


def write_answers(path: Path, n: int, distributors: int, seed: int) -> None:
    """``n`` synthetic answers as JSON Lines, generated a chunk at a time (bounded memory)."""
    with path.open("w", encoding="utf-8") as out:
        done = 0
        while done < n:
            size = min(CHUNK, n - done)
            share = max(1, round(distributors * size / n))
            for r in generate_responses(size, share, seed + done):
                out.write(r.model_dump_json(exclude={"submitted_at"}) + "\n")
            done += size


#: CPU seconds (user + system) of each measured process, by name: on a shared machine wall time
#: mostly measures the neighbours, CPU time the work.
CPU: dict[str, float] = {}


def run_measured(argv: list[str], env: dict[str, str], name: str = "") -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MB) of one process and its children (CPU time into
    ``CPU``, theirs included).

    ``wait4``'s ``ru_maxrss`` is the largest single process of the tree, but the import's parser
    process runs beside the writer, so what the machine must hold is their sum: it is sampled from
    ``/proc`` every 20 ms (Linux) and the larger of the two figures is reported.
    """
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    CPU[name] = usage.ru_utime + usage.ru_stime
    return elapsed, max(usage.ru_maxrss, peak[0]) / 1024


def tree_rss_kb(pid: int) -> int:
    """Resident memory (KB) of ``pid`` and its descendants now; 0 where ``/proc`` cannot say."""
    total, pending = 0, [pid]
    while pending:
        p = pending.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            pending.extend(int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split())
        except (OSError, ValueError):
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def compile_bytecode() -> None:
    """Compile the project's modules to bytecode first, as installing a package does.

    Every timed command is a new interpreter, and one that finds no ``.pyc`` compiles each of
    the project's modules it imports again: about 0.1 s for a report, less for ``stats``. A normal
    checkout writes them on its first run; a machine with ``PYTHONDONTWRITEBYTECODE`` set (this
    VM) never does, and would time the compiler instead of the command.
    """
    import compileall

    for package in ("analysis", "bench"):
        if not compileall.compile_dir(ROOT / package, quiet=1):
            raise RuntimeError(f"{package}/ did not compile")
    print("(the project's modules compiled to bytecode first, as an install does)")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "analysis", *args]


def json_in_process(db: Path, data_dir: str) -> dict[str, tuple[float, float]]:
    """The JSON export and its baseline in this process (best of 3, CPU seconds): the CLI's
    start-up (imports, migrations check: ~0.7 s) is left out of both."""
    import sqlite3

    os.environ["SURVEY_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    from analysis.storage import open_store

    store = open_store()
    ours, base = [], []
    for _ in range(3):
        c0 = time.process_time()
        store.export_latest_json()
        c1 = time.process_time()
        conn = sqlite3.connect(db)
        cur = conn.execute(
            "SELECT r.* FROM response_revisions r JOIN responses p ON p.id = r.response_id "
            "AND r.revision = p.latest_revision"
        )
        names = [d[0] for d in cur.description]
        json.dumps([dict(zip(names, row, strict=True)) for row in cur.fetchall()], default=str)
        conn.close()
        c2 = time.process_time()
        ours.append(c1 - c0)
        base.append(c2 - c1)
    store.engine.dispose()
    return {"cpu json in-process": (min(ours), float("nan")), "cpu json baseline in-process": (min(base), float("nan"))}


#: What the Reports page imports beyond Streamlit: a running server has imported them after its
#: first request; a page's "first visit" on a running server pays for its data, not for these.
PAGE_MODULES = (
    "plotly.graph_objects",
    "jinja2",
    "openpyxl",
    "analysis.reports",
    "analysis.reports.html",
    "analysis.reports.markdown",
    "analysis.reports.tables",
    "analysis.reports.pdf",
    "analysis.charts",
    "analysis.timeline_chart",
    "analysis.simulation",
    "analysis.crosstab",
    "analysis.outreach.coverage",
)


def apptest_times(n: int) -> dict[str, float]:
    """Reports page first visit and Overview revisit, each with a bare page as baseline.

    The page's modules are imported first (timed apart, "page modules import"): the figure is a
    first visit on a running server, whose caches are empty but whose code is loaded. A cold
    process pays the import on top, once.
    """
    import importlib

    from streamlit.testing.v1 import AppTest

    t0 = time.perf_counter()
    for module in PAGE_MODULES:
        importlib.import_module(module)
    imports = time.perf_counter() - t0

    bare = AppTest.from_string("import streamlit as st\nst.title('bare')\nst.write('page')", default_timeout=600)
    t0, c0 = time.perf_counter(), time.process_time()
    bare.run()
    t1, c1 = time.perf_counter(), time.process_time()
    bare.run()
    t2 = time.perf_counter()
    out = {"bare first": t1 - t0, "bare rerun": t2 - t1, "cpu bare first": c1 - c0, "page modules import": imports}
    reports = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    t0, c0 = time.perf_counter(), time.process_time()
    reports.switch_page("pages/reports.py").run()
    out["reports first"] = time.perf_counter() - t0
    out["cpu reports first"] = time.process_time() - c0
    if reports.exception:
        raise RuntimeError(f"Reports page failed: {reports.exception[0].value}")
    overview = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    overview.switch_page("pages/overview.py").run()
    t0 = time.perf_counter()
    overview.run()
    out["overview rerun"] = time.perf_counter() - t0
    if overview.exception:
        raise RuntimeError(f"Overview page failed: {overview.exception[0].value}")
    del n
    return out


def bench_size(n: int, distributors: int, seed: int, pages: bool, repeat: int = 3) -> dict[str, tuple[float, float]]:
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmpdir = Path(tmp)
        env = {**os.environ, "SURVEY_DATA_DIR": str(tmpdir / "var")}
        env.pop("DATABASE_URL", None)
        env.pop("SURVEY_REVIEWER_PASSPHRASE_HASH", None)
        answers = tmpdir / "answers.jsonl"
        t0 = time.perf_counter()
        # In a process of its own: a child's peak memory (ru_maxrss) starts from its parent's size
        # at fork, so the measuring process must stay small.
        subprocess.run(
            [sys.executable, "-m", "bench.bench_scale", "--write", str(answers), str(n), str(distributors), str(seed)],
            cwd=ROOT,
            check=True,
        )
        size_mb = answers.stat().st_size / 1e6
        print(f"\n== {n:,} answers ({size_mb:,.0f} MB of JSON Lines, generated in {time.perf_counter() - t0:.0f} s)")
        # The store is created first (as a deployment's start-up does): the import's rate is the
        # import's, not the eight migrations' of an empty database (about 0.3 s). The import is
        # timed ``repeat`` times, each into a store of its own, taking turns with a reference of
        # the least any import does (read, decode and insert each line; ``BASELINE_IMPORT``): one
        # turn on this VM has measured 22,600/s and 36,000/s minutes apart, and the reference
        # says how fast the machine is running in the same minutes.
        imports: list[tuple[float, float, float]] = []
        references: list[tuple[float, float, float]] = []
        for turn in range(repeat):
            store_env = {**env, "SURVEY_DATA_DIR": str(tmpdir / f"var-{turn}")}
            results["migrate (new store)"] = run_measured(cli("migrate"), store_env, "migrate (new store)")
            wall, peak_mb = run_measured(cli("import", str(answers)), store_env, "import")
            imports.append((wall, peak_mb, CPU["import"]))
            ref_db = tmpdir / f"reference-{turn}.sqlite3"
            wall, peak_mb = run_measured([sys.executable, "-c", BASELINE_IMPORT, str(answers), str(ref_db)], env, "ref")
            references.append((wall, peak_mb, CPU["ref"]))
            ref_db.unlink()
            if turn < repeat - 1:
                shutil.rmtree(tmpdir / f"var-{turn}")
        (tmpdir / f"var-{repeat - 1}").rename(tmpdir / "var")
        answers.unlink()
        for name, measured in (("import", imports), ("import reference", references)):
            results[name] = (statistics.median(m[0] for m in measured), max(m[1] for m in measured))
            CPU[name] = statistics.median(m[2] for m in measured)
        import_turns = ", ".join(f"{n / m[0]:,.0f}/s" for m in imports)
        db = tmpdir / "var" / "survey.sqlite3"
        # Each command and its baseline take turns, ``repeat`` times, and the medians are compared:
        # a neighbour's burst then slows one run of each, not the one run of one side.
        commands = {
            "stats": cli("stats"),
            "export json": cli("export", "--format", "json", "--out", str(tmpdir / "a.json")),
            "SQL + json.dumps": [sys.executable, "-c", BASELINE_JSON, str(db)],
            "export html": cli("export", "--format", "html", "--out", str(tmpdir / "r.html")),
        }
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, argv in commands.items():
                wall, peak_mb = run_measured(argv, env, name)
                runs[name].append((wall, peak_mb, CPU[name]))
        for name, measured in runs.items():
            results[name] = (statistics.median(m[0] for m in measured), max(m[1] for m in measured))
            CPU[name] = statistics.median(m[2] for m in measured)
        rate, cpu_rate = n / results["import"][0], n / CPU["import"]
        ref_rate = n / results["import reference"][0]
        print(
            f"import            {results['import'][0]:7.2f} s  {results['import'][1]:7.0f} MB  "
            f"{rate:,.0f} answers/s ({cpu_rate:,.0f}/s of CPU time; turns {import_turns}; target >= 25,000/s)"
        )
        print(
            f"import reference  {results['import reference'][0]:7.2f} s  {results['import reference'][1]:7.0f} MB  "
            f"{ref_rate:,.0f} lines/s (json.loads + one-table executemany); import = {rate / ref_rate:.2f}x its rate"
        )
        print(f"(median of {repeat} turns each; peak memory the largest of them)")
        for name in ("migrate (new store)", "stats", "export json", "SQL + json.dumps", "export html"):
            print(f"{name:17} {results[name][0]:7.2f} s  {results[name][1]:7.0f} MB  cpu {CPU[name]:.2f} s")
        for label, num, den, target in (
            ("export json / (SQL + json.dumps)", "export json", "SQL + json.dumps", "<= 1.5x"),
            ("export html / stats", "export html", "stats", "<= 5x at 100,000"),
        ):
            wall = results[num][0] / results[den][0]
            print(f"{label:33} = {wall:.2f}x wall, {CPU[num] / CPU[den]:.2f}x CPU (target {target})")
        for name in ("import", "import reference", "stats", "export json", "SQL + json.dumps", "export html"):
            results[f"cpu {name}"] = (CPU[name], float("nan"))
        inproc = json_in_process(db, env["SURVEY_DATA_DIR"])
        results.update(inproc)
        print(
            f"in process (no interpreter start-up): export_latest_json {inproc['cpu json in-process'][0]:.2f} s, "
            f"SQL + json.dumps {inproc['cpu json baseline in-process'][0]:.2f} s CPU = "
            f"{inproc['cpu json in-process'][0] / inproc['cpu json baseline in-process'][0]:.2f}x (target <= 1.5x)"
        )
        if pages:
            os.environ.update({"SURVEY_DATA_DIR": env["SURVEY_DATA_DIR"]})
            os.environ.pop("DATABASE_URL", None)
            times = apptest_times(n)
            for name, value in times.items():
                results[f"page {name}"] = (value, float("nan"))
            print(
                f"Reports page first visit {times['reports first']:.2f} s, cpu {times['cpu reports first']:.2f} s "
                f"(bare page {times['bare first']:.2f} s; target < 5 s at 100,000); a cold process first imports "
                f"the page's modules: +{times['page modules import']:.2f} s, once"
            )
            print(
                f"Overview cached revisit  {times['overview rerun']:.2f} s (bare rerun {times['bare rerun']:.2f} s: "
                f"+{times['overview rerun'] - times['bare rerun']:.2f} s; target +0.5 s at 10,000)"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated answer counts")
    parser.add_argument("--distributors", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--pages-up-to", type=int, default=100_000, help="AppTest page timings up to this size")
    parser.add_argument("--repeat", type=int, default=3, help="turns of each timed command and its baseline")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in its own process
    parser.add_argument("--write", nargs=4, help=argparse.SUPPRESS)  # FILE N DISTRIBUTORS SEED
    args = parser.parse_args()
    if args.write:
        path, n, dists, seed = args.write
        write_answers(Path(path), int(n), int(dists), int(seed))
        return
    if args.one:
        result = bench_size(
            args.one, min(args.distributors, args.one), args.seed, args.one <= args.pages_up_to, max(1, args.repeat)
        )
        print("RESULT " + json.dumps({k: list(v) for k, v in result.items()}))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    compile_bytecode()
    table: dict[int, dict[str, tuple[float, float]]] = {}
    for n in sizes:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.bench_scale",
                "--one",
                str(n),
                "--distributors",
                str(args.distributors),
                "--seed",
                str(args.seed),
                "--pages-up-to",
                str(args.pages_up_to),
                "--repeat",
                str(args.repeat),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        lines = proc.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith("RESULT ")), flush=True)
        found = next(line for line in lines if line.startswith("RESULT "))
        table[n] = {k: (v[0], v[1]) for k, v in json.loads(found.removeprefix("RESULT ")).items()}
    names = sorted({k for r in table.values() for k in r}, key=lambda k: (k.startswith("page"), k))
    print("\n== growth: seconds (peak MB); each column is a size")
    print(f"{'cost':28}" + "".join(f"{n:>22,}" for n in sizes))
    for name in names:
        cells = []
        for n in sizes:
            t, mb = table[n].get(name, (float("nan"), float("nan")))
            cells.append(f"{t:10.2f} s" + ("" if math.isnan(mb) else f" ({mb:5.0f} MB)"))
        print(f"{name:28}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
