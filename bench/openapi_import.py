#!/usr/bin/env python3
"""OpenAPI import at scale: how long `faultline-openapi` takes on a generated description of
many operations (the issue's target: 500 operations in under 2 s), and whether serving the
imported file costs more per request than a small one (instructions per request, callgrind).

    python3 bench/openapi_import.py [--importer .build/release/faultline-openapi]
        [--faultline .build/release/faultline] [--operations 500] [--rounds 5] [--no-callgrind]

The description has the shape of OpenAPILargeDescriptionTests: per resource a POST with a
$ref'd request schema and a GET by id, shared error responses and a bearer scheme. Import runs
alternate JSON and YAML; the wall time of each run is printed and the median reported.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def description(resources):
    paths = {}
    for i in range(resources):
        paths[f"/r{i}/items"] = {"post": {
            "operationId": f"createItem{i}",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
            "responses": {
                "201": {"description": "Created.", "content": {"application/json": {"example": {"id": f"it_{i}", "name": "Widget", "price": 9.99}}}},
                "400": {"$ref": "#/components/responses/Invalid"},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "429": {"$ref": "#/components/responses/TooMany"}}}}
        paths[f"/r{i}/items/{{id}}"] = {"get": {
            "operationId": f"getItem{i}",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The item.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                "404": {"$ref": "#/components/responses/NotFound"},
                "401": {"$ref": "#/components/responses/Unauthorized"}}}}
    return {
        "openapi": "3.1.0", "info": {"title": "Big", "version": "1"},
        "servers": [{"url": "https://api.big.example/v1"}], "security": [{"bearer": []}], "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Item": {"type": "object", "required": ["name", "price"], "properties": {
                "id": {"type": "string", "readOnly": True}, "name": {"type": "string", "maxLength": 80},
                "price": {"type": "number", "minimum": 0}}}},
            "responses": {
                "Invalid": {"description": "Invalid.", "content": {"application/json": {"example": {"error": "invalid_request", "details": [{"field": "name", "message": "is required"}]}}}},
                "Unauthorized": {"description": "No key.", "content": {"application/json": {"example": {"error": "unauthorized"}}}},
                "NotFound": {"description": "Missing.", "content": {"application/json": {"example": {"error": "not_found"}}}},
                "TooMany": {"description": "Slow down.", "content": {"application/json": {"example": {"error": "rate_limited"}}}}}}}


def write(directory, name, document, yaml_too):
    paths = [os.path.join(directory, name + ".json")]
    with open(paths[0], "w") as f:
        json.dump(document, f, indent=1)
    if yaml_too:
        import yaml
        paths.append(os.path.join(directory, name + ".yaml"))
        with open(paths[1], "w") as f:
            yaml.safe_dump(document, f, sort_keys=False)
    return paths


def import_once(importer, spec, vendor, out):
    start = time.perf_counter()
    subprocess.run([importer, spec, "--vendor", vendor, "--out", out, "--force"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--importer", default=".build/release/faultline-openapi")
    parser.add_argument("--faultline", default=".build/release/faultline")
    parser.add_argument("--operations", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--no-callgrind", action="store_true")
    args = parser.parse_args()
    try:
        import yaml  # noqa: F401
        yaml_too = True
    except ImportError:
        yaml_too = False
    with tempfile.TemporaryDirectory(prefix="faultline-openapi.") as tmp:
        specs = write(tmp, "big", description(args.operations // 2), yaml_too)
        small = write(tmp, "small", description(5), False)[0]
        times = {spec: [] for spec in specs}
        for round in range(args.rounds):
            for spec in specs:
                seconds = import_once(args.importer, spec, "big", os.path.join(tmp, "big"))
                times[spec].append(seconds)
                print(f"round {round + 1}: {os.path.basename(spec)} ({args.operations} operations) imported in {seconds * 1000:.0f} ms")
        for spec, runs in times.items():
            print(f"{os.path.basename(spec)}: median {statistics.median(runs) * 1000:.0f} ms, max {max(runs) * 1000:.0f} ms over {len(runs)} runs")
        if args.no_callgrind:
            return
        import_once(args.importer, small, "big", os.path.join(tmp, "small"))
        import callgrind
        flags = ["--rate-limit", "big=100000000/1s"]
        header = "Authorization: Bearer t"
        last = args.operations // 2 - 1
        for label, directory, path in [("10 endpoints, first", "small", "/big/v1/r0/items/7"),
                                       (f"{args.operations} endpoints, first", "big", "/big/v1/r0/items/7"),
                                       (f"{args.operations} endpoints, last", "big", f"/big/v1/r{last}/items/7")]:
            cost = callgrind.per_request(args.faultline, os.path.join(tmp, directory), args.requests, flags, path=path, header=header)
            print(f"{label}: {cost:,.0f} instructions per request (GET {path})")


if __name__ == "__main__":
    main()
