#!/usr/bin/env python3
"""Writes OTLP/JSON trace bodies of GenAI spans for the serve benchmarks (std lib only).

Usage: serve_otlp_gen.py OUT_DIR BODIES SPANS_PER_BODY START_UNIX_S [SEED]

Each body is one ExportTraceServiceRequest as an OTLP/HTTP exporter sends it: a few
resources (service.name, host.name), one scope, and spans carrying the GenAI semantic
conventions attributes inferscope maps (docs/otlp.md): gen_ai.operation.name,
gen_ai.request.model, gen_ai.response.model, gen_ai.response.id, gen_ai.usage.input_tokens,
gen_ai.usage.output_tokens, gen_ai.server.time_to_first_token, user.id, plus
gen_ai.provider.name; about 2% of spans have status ERROR with error.type. Start times
advance by ~20 ms per span from START_UNIX_S. Prints the number of spans and bytes written.
"""
import json
import math
import os
import random
import sys

MODELS = [("llama-3-8b", 2.7), ("llama-3-70b", 10.0), ("mistral-7b", 2.4),
          ("mixtral-8x7b", 4.5), ("gpt-4o-mini", 1.8), ("qwen-2-7b", 2.2)]
OPERATIONS = ["chat", "text_completion", "embeddings"]
SERVICES = ["chat-frontend", "batch-jobs", "gateway-a"]


def attr(key, value):
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    return {"key": key, "value": {"stringValue": value}}


def span(rng, start_ns):
    model, median_s = rng.choice(MODELS)
    op = rng.choice(OPERATIONS)
    latency_s = median_s * math.exp(rng.gauss(0.0, 0.5))
    error = rng.random() < 0.02
    attributes = [
        attr("gen_ai.operation.name", op),
        attr("gen_ai.provider.name", "vllm"),
        attr("gen_ai.request.model", model),
        attr("gen_ai.response.model", model),
        attr("gen_ai.response.id", "chatcmpl-%016x" % rng.getrandbits(64)),
        attr("gen_ai.usage.input_tokens", rng.randint(20, 4000)),
        attr("gen_ai.usage.output_tokens", 0 if error else rng.randint(1, 800)),
        attr("user.id", "user-%d" % rng.randint(1, 500)),
    ]
    if not error:
        attributes.append(attr("gen_ai.server.time_to_first_token",
                               round(latency_s * rng.uniform(0.03, 0.15), 4)))
    else:
        attributes.append(attr("error.type", rng.choice(["timeout", "rate_limited", "500"])))
    return {
        "traceId": "%032x" % (rng.getrandbits(128) | 1),
        "spanId": "%016x" % (rng.getrandbits(64) | 1),
        "name": "%s %s" % (op, model),
        "kind": 3,
        "startTimeUnixNano": str(start_ns),
        "endTimeUnixNano": str(start_ns + int(latency_s * 1e9)),
        "attributes": attributes,
        "status": {"code": 2, "message": "upstream failed"} if error else {"code": 1},
    }


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out_dir, bodies, per_body, start_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(
        sys.argv[4])
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    os.makedirs(out_dir, exist_ok=True)
    t_ns = start_s * 1_000_000_000
    total_bytes = 0
    for b in range(bodies):
        by_service = {s: [] for s in SERVICES}
        for _ in range(per_body):
            t_ns += int(rng.expovariate(1 / 0.02) * 1e9)
            by_service[rng.choice(SERVICES)].append(span(rng, t_ns))
        request = {"resourceSpans": [{
            "resource": {"attributes": [attr("service.name", s), attr("host.name", "node-%d" % i)]},
            "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai",
                                      "version": "0.48b0"},
                            "spans": spans}],
        } for i, (s, spans) in enumerate(by_service.items()) if spans]}
        data = json.dumps(request, separators=(",", ":")).encode()
        total_bytes += len(data)
        with open(os.path.join(out_dir, "traces-%04d.json" % b), "wb") as f:
            f.write(data)
    print("%d spans in %d bodies, %d bytes" % (bodies * per_body, bodies, total_bytes))


if __name__ == "__main__":
    main()
