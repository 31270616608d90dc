"""`make bench`: throughput and peak memory of `dyads code` next to spaCy's own nlp.pipe.

Builds a corpus of N articles (default 2,000) by recombining the paragraphs of the example
articles with other countries and dates, then times, each in a fresh subprocess so peak RSS
is per phase: spaCy nlp.pipe alone (single process) and dyads coding (single process).
"""

from __future__ import annotations

import argparse
import json
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


def phase_spacy(corpus: Path) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from dyads.nlp.model import load_nlp

    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    nlp = load_nlp()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return {"seconds": time.perf_counter() - start, "articles": len(texts), "words": sum(len(t.split()) for t in texts)}


def phase_dyads(corpus: Path) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from dyads.coder import Coder
    from dyads.ingest.readers import iter_articles
    from dyads.nlp.model import load_nlp
    from dyads.types import Article

    articles = [a for a in iter_articles([corpus]) if isinstance(a, Article)]
    coder = Coder(nlp=load_nlp())
    coder.code_text("Iraq's foreign minister met Iranian President Hassan Rouhani in Tehran on Saturday.")  # warm caches
    start = time.perf_counter()
    n_events = sum(len(c.events) for c in coder.code(articles))
    return {"seconds": time.perf_counter() - start, "articles": len(articles),
            "words": sum(len(a.text.split()) for a in articles), "events": n_events}


def run_phase(name: str, corpus: Path) -> dict:
    """Run one phase in a fresh interpreter and add its peak RSS."""
    proc = subprocess.run([sys.executable, __file__, "--phase", name, "--corpus", str(corpus)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--phase", choices=["spacy", "dyads"])
    ap.add_argument("--corpus", type=Path)
    args = ap.parse_args()
    if args.phase:
        result = (phase_spacy if args.phase == "spacy" else phase_dyads)(args.corpus)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    corpus = build_corpus(args.articles)
    rows = {name: run_phase(name, corpus) for name in ("spacy", "dyads")}
    print(f"corpus: {corpus} ({rows['spacy']['articles']} articles, {rows['spacy']['words']} words)")
    print(f"{'phase':<28} {'articles/s':>11} {'words/s':>10} {'peak RSS MB':>12}")
    labels = {"spacy": "spaCy nlp.pipe (1 process)", "dyads": "dyads code (1 process)"}
    for name, r in rows.items():
        print(f"{labels[name]:<28} {r['articles'] / r['seconds']:>11.1f} {r['words'] / r['seconds']:>10.0f} {r['peak_rss_mb']:>12.0f}")
    ratio = (rows["dyads"]["articles"] / rows["dyads"]["seconds"]) / (rows["spacy"]["articles"] / rows["spacy"]["seconds"])
    print(f"dyads / spaCy throughput ratio: {ratio:.2f}; events coded: {rows['dyads']['events']}")
    (OUT / "results.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
