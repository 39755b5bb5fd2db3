#!/usr/bin/env python3
"""Scores `inferscope analyze --format json` anomalies against `inferscope demo` labels, as
events (issue #3's incident benchmark):

- an incident is caught when an anomaly on the same model (any model for a fleet-wide "*"
  incident; a fleet-wide anomaly catches any incident) overlaps [start, end + 5 min];
- an anomaly that overlaps no incident (same matching rule) is a false positive;
- detection delay = when the first overlapping anomaly became firing (its `fired` time, when
  an alert would go out, after the pending period) - incident start (>= 0).

usage: score_incidents.py RUN [RUN ...]   where RUN = labels.json:analysis.json:days
Prints a Markdown table per incident kind plus totals, the number of reported incidents
(anomalies grouped by their `incident`), up to 20 missed incidents and false positives, and a
JSON line with the totals.
"""
import json
import statistics
import sys
from collections import defaultdict
from datetime import datetime, timedelta

GRACE = timedelta(minutes=5)
LISTED = 20  # missed incidents and false positives printed, each


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def matches(anomaly_model, incident_model):
    return incident_model == "*" or anomaly_model == "*" or anomaly_model == incident_model


def main(runs):
    per_kind = defaultdict(lambda: {"incidents": 0, "caught": 0, "delays": []})
    total_fp = 0
    total_anomalies = 0
    total_incidents = 0
    total_days = 0.0
    missed = []  # (run, incident) not caught
    false_positives = []  # (run, anomaly) overlapping no incident
    for run in runs:
        labels_path, analysis_path, days = run.split(":")
        total_days += float(days)
        incidents = json.load(open(labels_path))["incidents"] if labels_path != "-" else []
        anomalies = json.load(open(analysis_path)).get("anomalies", [])
        total_anomalies += len(anomalies)
        total_incidents += len({a.get("incident") or a["id"] for a in anomalies})
        end_of_data = max([ts(a["start"]) for a in anomalies], default=None)
        spans = []
        for a in anomalies:
            start = ts(a["start"])
            end = ts(a["end"]) if a["end"] else (end_of_data or start)
            fired = ts(a["fired"]) if a.get("fired") else start
            spans.append((a["model"], start, max(end, start), fired))
        used = [False] * len(spans)
        for inc in incidents:
            s, e = ts(inc["start"]), ts(inc["end"]) + GRACE
            k = per_kind[inc["kind"]]
            k["incidents"] += 1
            hits = [i for i, (m, a0, a1, _) in enumerate(spans)
                    if matches(m, inc["model"]) and a0 <= e and a1 >= s]
            for i in hits:
                used[i] = True
            if hits:
                k["caught"] += 1
                first = min(spans[i][3] for i in hits)
                k["delays"].append(max(0.0, (first - s).total_seconds() / 60))
            else:
                missed.append((analysis_path, inc))
        total_fp += used.count(False)
        false_positives += [(analysis_path, a) for a, u in zip(anomalies, used) if not u]

    print("| kind | incidents | caught | recall | median delay (min) |")
    print("|---|---|---|---|---|")
    all_inc = all_caught = 0
    delays = []
    for kind in sorted(per_kind):
        k = per_kind[kind]
        all_inc += k["incidents"]
        all_caught += k["caught"]
        delays += k["delays"]
        med = f"{statistics.median(k['delays']):.1f}" if k["delays"] else "-"
        print(f"| {kind} | {k['incidents']} | {k['caught']} | "
              f"{100 * k['caught'] / k['incidents']:.0f}% | {med} |")
    tp_anomalies = total_anomalies - total_fp
    precision = tp_anomalies / total_anomalies if total_anomalies else 1.0
    recall = all_caught / all_inc if all_inc else 1.0
    print(f"| **all** | {all_inc} | {all_caught} | {100 * recall:.0f}% | "
          f"{statistics.median(delays):.1f} |" if delays else f"| **all** | {all_inc} | 0 | 0% | - |")
    print()
    print(f"anomalies: {total_anomalies}, false positives: {total_fp} "
          f"({total_fp / total_days:.2f} per day over {total_days:g} days), "
          f"precision {100 * precision:.0f}%")
    print(f"reported incidents (anomalies grouped by `incident`): {total_incidents}")
    for path, inc in missed[:LISTED]:
        print(f"missed: {path}: {inc['kind']} on {inc['model']} {inc['start']} .. {inc['end']}: "
              f"{inc.get('description', '')}")
    for path, a in false_positives[:LISTED]:
        print(f"false positive: {path}: {a['kind']} on {a['model']} ({a['metric']}) "
              f"{a['start']} .. {a['end']}")
    if len(missed) > LISTED or len(false_positives) > LISTED:
        print(f"(listed at most {LISTED} of each)")
    print(json.dumps({"recall": recall, "precision": precision,
                      "fp_per_day": total_fp / total_days, "incidents": all_inc,
                      "caught": all_caught, "anomalies": total_anomalies,
                      "reported_incidents": total_incidents, "fp": total_fp}))


if __name__ == "__main__":
    main(sys.argv[1:])
