"""Tables and gnuplot data for experiment.py, with the thesis' tables 4.3-4.5 beside ours.

The THESIS_* figures are copied from chapter 4 of thesis-scaling-openstack-p2p.txt (Rally on
OpenStack Liberty VMs; seconds). Each row: (create sd, margin, mean, boot sd, margin, mean,
total sd, margin, mean)."""
import math
import os

# Table 4.3: P2P system with 16 cloudlets, by concurrency.
THESIS_P2P = {
    1: (0.139, 0.055, 3.227, 1.023, 0.401, 4.489, 1.031, 0.406, 7.716),
    2: (0.130, 0.026, 3.576, 1.123, 0.220, 4.149, 1.144, 0.224, 7.725),
    4: (0.186, 0.036, 4.078, 1.148, 0.225, 4.206, 1.181, 0.232, 8.284),
    8: (0.356, 0.049, 4.752, 1.307, 0.181, 4.592, 1.384, 0.192, 9.345),
    16: (1.251, 0.123, 6.020, 1.644, 0.161, 5.244, 2.404, 0.236, 11.264),
    32: (5.039, 0.349, 15.036, 4.715, 0.327, 13.244, 7.578, 0.525, 28.280),
    64: (11.831, 0.583, 33.059, 8.027, 0.395, 22.206, 17.073, 0.841, 55.264),
    128: (29.739, 1.032, 76.199, 19.676, 0.683, 39.679, 45.304, 1.572, 115.878),
}
# Table 4.4: standard OpenStack with 16 compute nodes, by concurrency.
THESIS_STANDARD = {
    1: (0.085, 0.033, 2.707, 0.204, 0.080, 4.122, 0.234, 0.091, 6.829),
    2: (0.116, 0.032, 2.992, 0.405, 0.112, 4.553, 0.445, 0.123, 7.545),
    4: (0.319, 0.062, 3.148, 0.453, 0.089, 6.142, 0.587, 0.115, 9.289),
    8: (1.008, 0.139, 4.825, 1.131, 0.157, 11.132, 1.600, 0.222, 15.957),
    16: (1.353, 0.133, 10.933, 5.414, 0.531, 24.103, 6.171, 0.605, 35.036),
    32: (6.044, 0.419, 27.843, 17.504, 1.213, 49.989, 20.722, 1.436, 76.832),
    64: (8.565, 0.422, 58.708, 31.539, 1.554, 86.636, 38.158, 1.881, 145.344),
    128: (28.279, 1.188, 113.696, 62.687, 2.632, 149.202, 81.488, 3.422, 262.898),
}
# Table 4.5: P2P system at concurrency 16, by number of cloudlets.
THESIS_SIZES = {
    1: (2.274, 0.322, 8.02, 6.06, 0.857, 20.714, 8.022, 1.135, 28.735),
    2: (1.509, 0.148, 6.096, 6.016, 0.598, 10.069, 6.716, 0.658, 16.165),
    4: (1.719, 0.169, 7.572, 4.046, 0.397, 7.416, 4.739, 0.464, 14.988),
    8: (1.077, 0.106, 7.349, 2.238, 0.233, 5.883, 2.612, 0.256, 13.232),
    16: (1.251, 0.123, 6.020, 1.644, 0.161, 5.244, 2.404, 0.236, 11.264),
}


def summarize(samples):
    """Mean, sample sd and 95% margin (1.96 sd / sqrt(n)), as the load generator reports them."""
    n = len(samples)
    if n == 0:
        return {"n": 0, "mean": float("nan"), "sd": float("nan"), "margin": float("nan")}
    mean = sum(samples) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in samples) / (n - 1)) if n > 1 else 0.0
    return {"n": n, "mean": mean, "sd": sd, "margin": 1.96 * sd / math.sqrt(n)}


def ok(row):
    return "error" not in row and row.get("completed", 0) > 0


def cells(row):
    """Our row in the thesis' column order: sd, margin, mean for create, boot, total."""
    out = []
    for part in ("create_image", "boot", "total"):
        s = row[part]
        out += [f"{s['sd']:.3f}", f"± {s['margin']:.3f}", f"{s['mean']:.3f}"]
    return out


def extras(row):
    n = max(row["iterations"], 1)
    net = row["agents_cpu_s"] - row.get("agents_background_cpu_per_s", 0) * row["wall_s"]
    return [f"{100 * row['failure_rate']:.1f}", f"{row['agents_cpu_s'] / n * 1000:.1f}", f"{net / n * 1000:.1f}",
            f"{row['sim_cpu_s'] / n * 1000:.1f}", f"{row['loadgen_cpu_s'] / n * 1000:.1f}",
            f"{row['wall_s']:.0f}", f"{busy(row):.2f}", f"{100 * row.get('slots_busy', float('nan')):.0f}",
            f"{100 * row.get('some_controller_full', float('nan')):.0f}", f"{row['load_after']:.1f}"]


def busy(row):
    """Cores the testbed and the load generator kept busy on average during the run."""
    return (row["agents_cpu_s"] + row["sim_cpu_s"] + row["loadgen_cpu_s"]) / max(row["wall_s"], 1e-9)


HEADER = ("| {key} | n | create sd | create ±95% | create mean | boot sd | boot ±95% | boot mean | "
          "total sd | total ±95% | total mean | failed % | agents CPU ms/iter | of which above idle | "
          "sim CPU ms/iter | load generator CPU ms/iter | wall s | cores busy | controller slots busy % | "
          "a controller full, % of time | load avg |\n|" + "---|" * 21 + "\n")


def our_table(rows, key_name, key):
    text = HEADER.format(key=key_name)
    for r in rows:
        if ok(r):
            text += "| " + " | ".join([str(key(r)), str(r["iterations"]), *cells(r), *extras(r)]) + " |\n"
        else:
            text += f"| {key(r)} | {r['iterations']} | run failed: {r.get('error', 'no iteration completed')[-200:]} |\n"
    return text


def ratio_table(rows, thesis, key_name, key, base_key):
    """Total time relative to the first row (ours) and to the thesis' same row."""
    base = next((r for r in rows if key(r) == base_key and ok(r)), None)
    text = (f"| {key_name} | ours: total mean (s) | ours: × first row | thesis: total mean (s) | "
            "thesis: × first row |\n|---|---|---|---|---|\n")
    for r in rows:
        k = key(r)
        t = thesis.get(k)
        ours = r["total"]["mean"] if ok(r) else float("nan")
        rel = ours / base["total"]["mean"] if base else float("nan")
        if t and base_key in thesis:
            t_rel = t[8] / thesis[base_key][8]
            text += f"| {k} | {ours:.3f} | {rel:.2f} | {t[8]:.3f} | {t_rel:.2f} |\n"
        else:
            text += f"| {k} | {ours:.3f} | {rel:.2f} | - | - |\n"
    return text


def placement_table(rows):
    """Servers per cloudlet over a level's completed iterations (the thesis' figure 4.9)."""
    text = ("| concurrency | completed | servers per cloudlet: min | mean | max | max / mean |\n"
            "|---|---|---|---|---|---|\n")
    for r in rows:
        if not ok(r) or not r.get("placement"):
            continue
        counts = [r["placement"].get(f"cloudlet-{i}", 0) for i in range(1, r["cloudlets"] + 1)]
        mean = sum(counts) / len(counts)
        text += (f"| {r['concurrency']} | {r['completed']} | {min(counts)} | {mean:.1f} | {max(counts)} | "
                 f"{max(counts) / mean:.2f} |\n")
    return text


def number(x):
    return "NaN" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.4f}"


def write(out, meta, rows, mode):
    n = mode["cloudlets"]
    p2p = [r for r in rows if r["scenario"] == f"p2p{n}"]
    std = [r for r in rows if r["scenario"] == "standard"]
    sizes = [r for r in rows if r["scenario"].startswith("size")]
    conc = lambda r: r["concurrency"]  # noqa: E731
    size = lambda r: r["cloudlets"]  # noqa: E731
    m = meta["model"]
    text = (f"Mode `{meta['mode']}`, started {meta['started']}, {meta['duration_s']:.0f} s, "
            f"{meta['nproc']} CPUs. Each controller: `max_concurrent` {m['max_concurrent']}, "
            f"`latency_ms` {m['latency_ms']}; build delay {m['build_delay_ms']} ms; users poll every "
            f"{m['poll_ms']} ms. Times in seconds; ±95% = 1.96 sd / sqrt(n) over completed "
            "iterations.\n\n")
    text += f"### Scenario one, P2P: {n} cloudlets, one agent each\n\n" + our_table(p2p, "concurrency", conc)
    text += "\nWhere the P2P servers ran (the zone the agent reports for each server):\n\n"
    text += placement_table(p2p)
    text += f"\n### Scenario one, standard: one cloud, one controller, {n} hypervisors\n\n"
    text += our_table(std, "concurrency", conc)
    text += f"\n### Scenario two: concurrency {mode['size_concurrency']}, P2P with 1..{n} cloudlets\n\n"
    text += our_table(sizes, "cloudlets", size)
    text += "\n### Beside the thesis: total time, and relative to the first row\n\n"
    text += f"P2P (thesis table 4.3):\n\n" + ratio_table(p2p, THESIS_P2P, "concurrency", conc, 1)
    text += "\nStandard (thesis table 4.4):\n\n" + ratio_table(std, THESIS_STANDARD, "concurrency", conc, 1)
    text += (f"\nScenario two (thesis table 4.5):\n\n"
             + ratio_table(sizes, THESIS_SIZES, "cloudlets", size, 1))
    with open(os.path.join(out, "tables.md"), "w") as f:
        f.write(text)

    # gnuplot data: one line per concurrency / size, NaN where a run is missing.
    def mean(rows_, k, part):
        r = next((x for x in rows_ if x["concurrency" if rows_ is not sizes else "cloudlets"] == k and ok(x)), None)
        return r[part]["mean"] if r else None

    def fail(rows_, k):
        r = next((x for x in rows_ if x["concurrency"] == k and "failure_rate" in x), None)
        return 100 * r["failure_rate"] if r else None

    with open(os.path.join(out, "scenario1.dat"), "w") as f:
        f.write("# conc p2p:create boot total std:create boot total thesis-p2p:create boot total "
                "thesis-std:create boot total fail%:p2p std total/total(1):p2p std thesis-p2p thesis-std\n")
        base = {"p2p": mean(p2p, 1, "total"), "std": mean(std, 1, "total")}

        def relative(x, b):
            return x / b if x is not None and b else None

        for c in sorted({r["concurrency"] for r in p2p + std}):
            tp, ts = THESIS_P2P.get(c), THESIS_STANDARD.get(c)
            vals = [mean(p2p, c, p) for p in ("create_image", "boot", "total")]
            vals += [mean(std, c, p) for p in ("create_image", "boot", "total")]
            vals += [tp[2], tp[5], tp[8]] if tp else [None] * 3
            vals += [ts[2], ts[5], ts[8]] if ts else [None] * 3
            vals += [fail(p2p, c), fail(std, c)]
            vals += [relative(vals[2], base["p2p"]), relative(vals[5], base["std"]),
                     relative(tp[8], THESIS_P2P[1][8]) if tp else None,
                     relative(ts[8], THESIS_STANDARD[1][8]) if ts else None]
            f.write(f"{c} " + " ".join(number(v) for v in vals) + "\n")
    with open(os.path.join(out, "scenario2.dat"), "w") as f:
        f.write("# cloudlets ours:create boot total thesis:create boot total\n")
        for s in sorted({r["cloudlets"] for r in sizes}):
            t = THESIS_SIZES.get(s)
            vals = [mean(sizes, s, p) for p in ("create_image", "boot", "total")]
            vals += [t[2], t[5], t[8]] if t else [None] * 3
            f.write(f"{s} " + " ".join(number(v) for v in vals) + "\n")
