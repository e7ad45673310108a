"""What the lbd benches' reports share (bench/lbd_bench.sh, lbd_bodies_bench.sh,
lbd_log_bench.sh, lbd_tls_bench.sh, lbd_tls_instr.sh): wrk's latencies in ms,
a results file of one line per round and proxy, and the per-round ratios of
two proxies' figures.  The benches run their report with PYTHONPATH=bench."""
import statistics


def wrk_ms(v):
    """wrk's 463.00us / 1.62ms / 1.01s -> ms"""
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit):
            return float(v[:-len(unit)]) * f
    return float(v)


def results(path, names):
    """A file of lines 'ROUND PROXY FIGURE...' (the figures in the order of
    names) -> val[(proxy, name)][round], and med(proxy, name): the median
    over the rounds."""
    val = {}
    for r in (line.split() for line in open(path)):
        for i, n in enumerate(names):
            val.setdefault((r[1], n), {})[r[0]] = float(r[2 + i])
    return val, lambda p, n: statistics.median(val[(p, n)].values())


def ratio_line(what, name, width, a, b):
    """'WHAT NAME median 0.85x, per round 0.84 0.86': a[r] / b[r] for each round r
    (the keys, round numbers as strings) that both have, NAME padded to WIDTH."""
    ratios = [a[r] / b[r] for r in sorted(a, key=int) if r in b]
    return "%s %-*s median %.2fx, per round %s" % (what, width, name, statistics.median(ratios),
                                                  " ".join("%.2f" % x for x in ratios))
