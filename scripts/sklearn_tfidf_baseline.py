#!/usr/bin/env python3
"""Reference implementation of lineage's per-probe TF-IDF similarity with
scikit-learn, used only to compare speed (and ranking) with the Rust tool.

For each labelled student: fit word 1-2-gram and char_wb 4-gram TF-IDF
(sublinear tf) on every response of the student, the candidates and the
panel; per probe, cosine of the student's response with each other model's;
excess = mean over probes of sim(S,T) - mean_j sim(S,R_j). Prints the top
candidate per student, top1 accuracy, and the wall time.

Usage: scripts/sklearn_tfidf_baseline.py DATA_DIR
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def load(path):
    with open(path, encoding="utf-8") as f:
        return {" ".join(x["instruction"].split()): x.get("output") or "" for x in json.load(f)}


def main(data):
    fam = dict(l.rstrip("\n").split("\t")[:2] for l in open(f"{data}/candidate-teachers.tsv") if l.strip())
    teachers = list(fam)
    panel = [l.strip() for l in open(f"{data}/reference-panel.txt") if l.strip()]
    labels = [l.rstrip("\n").split("\t") for l in open(f"{data}/labels-dev.tsv")][1:]
    start = time.perf_counter()
    top1 = npos = 0
    for student, label, _ in labels:
        models = [student] + teachers + panel
        outs = [load(f"{data}/{m}.json") for m in models]
        keys = sorted(set.intersection(*(set(k for k, v in o.items() if v.strip()) for o in outs)))
        docs = [o[k] for o in outs for k in keys]
        n = len(keys)
        sims = np.zeros((len(models), n))
        for vec in (
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True),
        ):
            x = vec.fit_transform(docs)
            s = x[:n]
            for m in range(1, len(models)):
                sims[m] += np.asarray(s.multiply(x[m * n:(m + 1) * n]).sum(axis=1)).ravel() / 2
        panel_mean = sims[1 + len(teachers):].mean(axis=0)
        excess = {t: float((sims[1 + i] - panel_mean).mean()) for i, t in enumerate(teachers)}
        best = max(excess, key=excess.get)
        ok = label != "none" and (fam[best] == label or (label == "openai-mixed" and fam[best] in ("openai-gpt-3.5", "openai-gpt-4")))
        if label != "none":
            npos += 1
            top1 += ok
        print(f"{student:22s} label={label:20s} top={best}")
    wall = time.perf_counter() - start
    print(f"sklearn top1={top1}/{npos}")
    print(f"sklearn_wall_seconds={wall:.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: sklearn_tfidf_baseline.py DATA_DIR")
    main(sys.argv[1])
