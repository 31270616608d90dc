"""`make bench`: throughput and peak memory of dyads next to spaCy's own nlp.pipe.

Builds a corpus of N articles (default 2,000; `--articles 5000` for the acceptance
figures) by recombining the paragraphs of the example articles with other countries and
dates, then times, each phase in a fresh subprocess so peak memory is per phase:

  spacy   spaCy nlp.pipe alone over the texts, one process (model loaded before timing)
  dyads1  `dyads code --workers 1`: read, clean and code, one process
  dyadsN  `dyads code` on all cores (worker pool; start-up included)
  dask    `dyads code --engine dask`: a LocalCluster of one process per core writing
          Parquet shards, read back by the driver (cluster start-up included)

Peak RSS is the largest sum, sampled every 50 ms, of the RSS of the phase's process and
all its descendants (psutil), so worker processes count. CPU seconds (user + system, the
process and its children) are reported too: on a shared machine articles per CPU-second
is steadier than wall-clock throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

# Swapped pairwise to vary the corpus while keeping it news-like.
SWAPS = [("Iraq", "Syria"), ("Iran", "Turkey"), ("Baghdad", "Damascus"), ("Tehran", "Ankara"),
         ("Iraqi", "Syrian"), ("Iranian", "Turkish"), ("United States", "France"), ("Russia", "China")]


def build_corpus(n: int, seed: int = 7) -> Path:
    """Write bench/out/corpus.jsonl with n varied articles made from examples/articles."""
    sys.path.insert(0, str(ROOT / "src"))
    from dyads.ingest.readers import iter_articles
    from dyads.types import Article

    paragraphs: list[str] = []
    for item in iter_articles([ROOT / "examples" / "articles"]):
        if isinstance(item, Article):
            paragraphs += [p.strip() for p in item.text.split("\n\n") if len(p.split()) > 8]
    rng = random.Random(seed)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            paras = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(3, 7)))
            text = "\n\n".join(paras)
            a, b = rng.choice(SWAPS)
            text = re.sub(rf"\b{a}\b", "\0", text).replace(b, a).replace("\0", b) if rng.random() < 0.5 else text
            day = f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            fh.write(json.dumps({"id": f"bench-{i}", "text": text, "published": day}) + "\n")
    return path


class PeakRSS:
    """Samples the summed RSS (and CPU time) of this process and all its descendants in a thread.

    CPU time is each process's own user + system time at its last sample, summed: pool
    workers are children of the fork server, never waited for by this process, so
    RUSAGE_CHILDREN would miss them (and would count Dask's workers twice).
    """

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = 0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _sample(self) -> int:
        import psutil

        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
                t = p.cpu_times()
                self._cpu[p.pid] = t.user + t.system
            except psutil.Error:  # a child that just exited
                pass
        return total

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peak = max(self.peak, self._sample())

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def start(self) -> None:
        """Begin measuring (each phase calls this where its timing starts)."""
        self.peak = self._sample()
        self._cpu0 = self.cpu_seconds
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())
        self._cpu = {0: self.cpu_seconds - self._cpu0}


def _texts(corpus: Path) -> list[str]:
    return [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]


def phase_spacy(corpus: Path, workers: int, meter: PeakRSS) -> dict:
    """spaCy alone: nlp.pipe over the texts in one process."""
    from dyads.nlp.model import load_nlp

    texts = _texts(corpus)
    nlp = load_nlp()
    meter.start()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return {"seconds": time.perf_counter() - start, "articles": len(texts)}


def phase_dyads(corpus: Path, workers: int, meter: PeakRSS) -> dict:
    """dyads from the corpus file to coded records, on `workers` local processes."""
    from dyads import parallel
    from dyads.coder import Coded

    if workers == 1:  # load the model before timing, as the spaCy phase does
        from dyads.pipeline import run
        from dyads.coder import Coder

        coder = Coder()
        coder.code_text("Iraq's foreign minister met Iranian President Hassan Rouhani in Tehran on Saturday.")
        items = run([corpus], coder=coder)
    else:
        items = parallel.run([corpus], workers=workers)
    meter.start()
    start = time.perf_counter()
    n_articles = n_events = 0
    for item in items:
        if isinstance(item, Coded):
            n_articles += 1
            n_events += len(item.events)
    return {"seconds": time.perf_counter() - start, "articles": n_articles, "events": n_events}


def phase_dask(corpus: Path, workers: int, meter: PeakRSS) -> dict:
    """The Dask path: LocalCluster workers write Parquet shards; the driver reads them back."""
    from dyads.batch import iter_results
    from dyads.batch.dask_engine import run
    from dyads.coder import Coded

    with tempfile.TemporaryDirectory(prefix="dyads-bench-") as out:
        meter.start()
        start = time.perf_counter()
        summary = run([corpus], out, n_workers=workers)
        n_articles = n_events = 0
        for item in iter_results(summary.out_dir, summary.names):
            if isinstance(item, Coded):
                n_articles += 1
                n_events += len(item.events)
        return {"seconds": time.perf_counter() - start, "articles": n_articles, "events": n_events}


PHASES = {
    "spacy": (phase_spacy, "spaCy nlp.pipe (1 process)"),
    "dyads1": (phase_dyads, "dyads code (1 process)"),
    "dyadsN": (phase_dyads, "dyads code (all cores)"),
    "dask": (phase_dask, "dyads on Dask LocalCluster"),
}


def run_phase(name: str, corpus: Path, workers: int) -> dict:
    """Run one phase in a fresh interpreter (so memory and CPU are the phase's own)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, __file__, "--phase", name, "--corpus", str(corpus), "--workers", str(workers)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000, help="corpus size (5000+ for the acceptance figures)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for the all-core phases")
    ap.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset of " + ",".join(PHASES))
    ap.add_argument("--phase", choices=list(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        sys.path.insert(0, str(ROOT / "src"))
        workers = 1 if args.phase in ("spacy", "dyads1") else args.workers
        rss = PeakRSS()
        result = PHASES[args.phase][0](args.corpus, workers, rss)
        rss.stop()
        result.update(workers=workers, cpu_seconds=rss.cpu_seconds, peak_rss_mb=rss.peak / 2**20,
                      words=sum(len(t.split()) for t in _texts(args.corpus)))
        print(json.dumps(result))
        return
    corpus = build_corpus(args.articles)
    rows = {}
    for name in args.phases.split(","):
        rows[name] = run_phase(name, corpus, args.workers)
        print(f"... {name}: {rows[name]['seconds']:.1f} s", file=sys.stderr, flush=True)
    first = next(iter(rows.values()))
    print(f"corpus: {corpus} ({first['articles']} articles, {first['words']} words); {args.workers} cores for the all-core phases")
    print(f"{'phase':<30} {'articles/s':>10} {'words/s':>9} {'art/CPU-s':>9} {'peak RSS MB':>11} {'vs spaCy':>8} {'vs 1 proc':>9}")
    rate = {n: r["articles"] / r["seconds"] for n, r in rows.items()}
    for name, r in rows.items():
        vs_spacy = f"{rate[name] / rate['spacy']:.2f}" if "spacy" in rate else "-"
        vs_one = f"{rate[name] / rate['dyads1']:.2f}" if "dyads1" in rate else "-"
        print(f"{PHASES[name][1]:<30} {rate[name]:>10.1f} {r['words'] / r['seconds']:>9.0f} "
              f"{r['articles'] / r['cpu_seconds']:>9.1f} {r['peak_rss_mb']:>11.0f} {vs_spacy:>8} {vs_one:>9}")
    if "dask" in rate and "dyadsN" in rate:
        print(f"Dask LocalCluster / all-core pool: {rate['dask'] / rate['dyadsN']:.2f}")
    events = {n: r["events"] for n, r in rows.items() if "events" in r}
    print(f"events coded: {events}")
    (OUT / "results.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
