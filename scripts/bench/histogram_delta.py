#!/usr/bin/env python3
"""Quantiles of one Prometheus histogram between two scrapes of /metrics.

    histogram_delta.py before.txt after.txt payment_webhook_latency_seconds 0.5 0.9 0.99

prints "p50_ms 0.71", one line per quantile (interpolated within buckets, as PromQL's histogram_quantile does), then
"count N" and "under_5ms_share 0.9957" (the share of observations in buckets up to 5 ms).
"""
import re
import sys

BUCKET = re.compile(r'^(\w+)_bucket\{(?:[^}]*,)?le="([^"]+)"(?:,[^}]*)?\} (\S+)')


def buckets(path, name):
    counts = {}
    with open(path) as text:
        for line in text:
            match = BUCKET.match(line)
            if match and match.group(1) == name:
                bound = float("inf") if match.group(2) == "+Inf" else float(match.group(2))
                counts[bound] = counts.get(bound, 0) + float(match.group(3))
    return counts


def main():
    before_path, after_path, name, *quantiles = sys.argv[1:]
    before, after = buckets(before_path, name), buckets(after_path, name)
    if not after:
        sys.exit(f"{name}: no buckets in {after_path}")
    bounds = sorted(after)
    cumulative = [after[b] - before.get(b, 0) for b in bounds]
    total = cumulative[-1]
    for quantile in map(float, quantiles):
        rank, lower, below = quantile * total, 0.0, 0.0
        value = float("nan")
        for bound, count in zip(bounds, cumulative):
            if count >= rank and total > 0:
                value = lower if bound == float("inf") else lower + (bound - lower) * (rank - below) / max(count - below, 1e-9)
                break
            lower, below = bound, count
        print(f"p{quantile * 100:g}_ms {value * 1000:.2f}")
    print(f"count {total:.0f}")
    under = max((count for bound, count in zip(bounds, cumulative) if bound <= 0.005), default=0)
    print(f"under_5ms_share {under / total if total else float('nan'):.4f}")


if __name__ == "__main__":
    main()
