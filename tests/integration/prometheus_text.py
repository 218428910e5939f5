"""A strict reader of Prometheus' text exposition format 0.0.4, for tests that scrape /metrics."""
import re

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(rf"^({NAME})(?:\{{(.*)\}})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        assert m, f"bad label set at {pos}: {text!r}"
        labels[m.group(1)] = m.group(2)
        pos = m.end()
        if pos < len(text):
            assert text[pos] == ",", f"bad label separator in {text!r}"
            pos += 1
    return labels


def parse_exposition(text):
    """A strict reader of the text format 0.0.4: every sample belongs to a family declared
    by # HELP and # TYPE lines before it; histograms are cumulative and end in +Inf.
    Returns ({family: type}, {(name, frozenset(labels)): value})."""
    types, samples, current = {}, {}, None
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            current = line.split(" ", 3)[2]
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name == current, f"TYPE without HELP for {name}"
            assert kind in ("counter", "gauge", "histogram"), line
            assert name not in types, f"{name} declared twice"
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labels, value = m.group(1), parse_labels(m.group(2) or ""), float(m.group(3))
        family = re.sub(r"_(bucket|sum|count)$", "", name) if types.get(current) == "histogram" else name
        assert family == current, f"{name} outside its family ({current})"
        key = (name, frozenset(labels.items()))
        assert key not in samples, f"duplicate series {key}"
        samples[key] = value
    for name, kind in types.items():
        if kind == "counter":
            assert name.endswith("_total"), name
        if kind != "histogram":
            continue
        series = {}
        for (n, labels), v in samples.items():
            if n == name + "_bucket":
                rest = frozenset((k, x) for k, x in labels if k != "le")
                le = dict(labels)["le"]
                series.setdefault(rest, []).append((float("inf") if le == "+Inf" else float(le), v))
        for rest, buckets in series.items():
            buckets.sort()
            counts = [v for _, v in buckets]
            assert counts == sorted(counts), f"{name} buckets not cumulative: {buckets}"
            assert buckets[-1][0] == float("inf")
            assert samples[(name + "_count", rest)] == counts[-1]
    return types, samples


def total(samples, name, **labels):
    """Sum of the series of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))
