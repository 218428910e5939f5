"""Shared by the Python benchmarks: the machine line, CPU time of processes,
markdown tables and gnuplot."""
import os
import platform
import subprocess


def machine_line():
    """The CPU, core count and load, for the tables' captions."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return f"{model}, {os.cpu_count()} cores, Linux {platform.release()}, load {load:.1f} at start"


def cpu_seconds(pids):
    """User + system CPU seconds of the processes `pids` so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            pass
    return total


def write_table(header, rows):
    """A markdown table as a list of lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def gnuplot(script, variables):
    """Runs a gnuplot script with string variables set (`name='value'`)."""
    settings = "; ".join(f"{k}='{v}'" for k, v in variables.items())
    subprocess.run(["gnuplot", "-e", settings, script], check=True)
