"""A stand-in for the Kubeflow Pipelines API server's v2beta1 run endpoints Riffle uses, for tests
and the demo (Kubernetes cannot run here).

- Every request is checked against the official OpenAPI document (test-fixtures/spec/kfp/
  run.swagger.json, vendored from kubeflow/pipelines 2.17.0): the body of POST /apis/v2beta1/runs
  against the v2beta1Run definition (no unknown field at any depth, JSON types, formats, enums),
  and the query of GET /apis/v2beta1/runs against the operation's declared parameters. A request
  that does not validate is refused with 400 and a googleRpcStatus body naming the field, like the
  real server's grpc-gateway does for unknown fields.
- Runs are really executed: the compiled pipeline (kfp compiler output, --package) is loaded with
  kfp.components.load_component_from_file and called under kfp.local with SubprocessRunner, one run
  at a time, in a worker thread; states go PENDING -> RUNNING -> SUCCEEDED | FAILED.
- GET /standin/requests lists every request received with its validation result (tests assert all
  of Riffle's were valid). POST /standin/pause and /standin/resume hold runs in PENDING (to kill
  Riffle while a run is pending).

Usage: python kfp_standin.py --port P --spec run.swagger.json --package pipeline.yaml
         --pipeline-id PID --version-id VID --pipeline-root DIR
"""
import argparse
import datetime
import json
import queue
import re
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Invalid(Exception):
    pass


class Spec:
    def __init__(self, path):
        with open(path) as f:
            self.doc = json.load(f)
        self.defs = self.doc["definitions"]

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].split("/")[-1]]
        return schema

    def check(self, value, schema, where):
        schema = self.resolve(schema)
        if "enum" in schema:
            if value not in schema["enum"]:
                raise Invalid(f"{where}: {value!r} is not one of {schema['enum']}")
            return
        t = schema.get("type")
        fmt = schema.get("format")
        if t == "object" or "properties" in schema:
            if not isinstance(value, dict):
                raise Invalid(f"{where}: expected an object")
            props = schema.get("properties")
            if props is None:
                extra = schema.get("additionalProperties")
                if extra:
                    for k, v in value.items():
                        self.check(v, extra, f"{where}.{k}")
                return
            for k, v in value.items():
                if k not in props:
                    raise Invalid(f'{where}: unknown field "{k}"')
                self.check(v, props[k], f"{where}.{k}")
        elif t == "array":
            if not isinstance(value, list):
                raise Invalid(f"{where}: expected an array")
            for i, v in enumerate(value):
                self.check(v, schema.get("items", {}), f"{where}[{i}]")
        elif t == "string":
            if fmt == "int64" and isinstance(value, int) and not isinstance(value, bool):
                return  # protojson accepts numbers for int64
            if not isinstance(value, str):
                raise Invalid(f"{where}: expected a string")
            if fmt == "date-time" and not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", value):
                raise Invalid(f"{where}: not an RFC 3339 date-time")
        elif t == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise Invalid(f"{where}: expected an integer")
        elif t == "boolean":
            if not isinstance(value, bool):
                raise Invalid(f"{where}: expected a boolean")
        elif t == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise Invalid(f"{where}: expected a number")
        # no type: any JSON value (google.protobuf.Value)

    def body_schema(self, path, method):
        for p in self.doc["paths"][path][method].get("parameters", []):
            if p["in"] == "body":
                return p["schema"]
        return None

    def check_query(self, path, method, query):
        declared = {p["name"]: p for p in self.doc["paths"][path][method].get("parameters", []) if p["in"] == "query"}
        for name, values in query.items():
            if name not in declared:
                raise Invalid(f'query: unknown parameter "{name}"')
            if declared[name].get("type") == "integer":
                for v in values:
                    if not re.match(r"^-?\d+$", v):
                        raise Invalid(f"query.{name}: expected an integer")


FILTER_OPS = {"EQUALS", "NOT_EQUALS", "GREATER_THAN", "GREATER_THAN_EQUALS", "LESS_THAN", "LESS_THAN_EQUALS", "IN", "IS_SUBSTRING"}


def parse_filter(text):
    """backend/api/v2beta1/filter.proto as JSON: {"predicates": [{"key", "operation", "string_value"}]}."""
    f = json.loads(text)
    if not isinstance(f, dict) or set(f) - {"predicates"}:
        raise Invalid("filter: unknown field")
    preds = f.get("predicates", [])
    for p in preds:
        if set(p) - {"key", "operation", "string_value", "int_value", "long_value", "timestamp_value", "int_values", "long_values", "string_values"}:
            raise Invalid("filter.predicates: unknown field")
        if p.get("operation") not in FILTER_OPS:
            raise Invalid(f"filter.predicates.operation: {p.get('operation')!r}")
    return preds


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Runs:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.runs = {}
        self.order = []
        self.requests = []
        self.work = queue.Queue()
        self.paused = threading.Event()
        self.pipeline = None
        threading.Thread(target=self.worker, daemon=True).start()

    def set_state(self, run, state, error=None):
        run["state"] = state
        run["state_history"].append({"update_time": now(), "state": state})
        if error:
            run["error"] = {"code": 2, "message": error}
        if state in ("SUCCEEDED", "FAILED", "CANCELED", "SKIPPED"):
            run["finished_at"] = now()

    def worker(self):
        from kfp import components, local

        local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=self.args.pipeline_root)
        self.pipeline = components.load_component_from_file(self.args.package)
        while True:
            run_id = self.work.get()
            while self.paused.is_set():
                threading.Event().wait(0.05)
            with self.lock:
                run = self.runs[run_id]
                self.set_state(run, "RUNNING")
            try:
                self.pipeline(**run["runtime_config"].get("parameters", {}))
                with self.lock:
                    self.set_state(run, "SUCCEEDED")
            except Exception as e:  # a failed task: the run fails, the server keeps serving
                with self.lock:
                    self.set_state(run, "FAILED", error=str(e)[-2000:])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.reply(status, {"code": code, "message": message, "details": []})

    def record(self, ok, why=None):
        runs = self.server.runs
        with runs.lock:
            runs.requests.append({"method": self.command, "path": self.path, "valid": ok, "error": why,
                                  "authorization": self.headers.get("Authorization")})

    def do_GET(self):
        u = urlparse(self.path)
        runs = self.server.runs
        spec = self.server.spec
        if u.path == "/standin/requests":
            with runs.lock:
                return self.reply(200, {"requests": runs.requests})
        if u.path == "/apis/v2beta1/healthz":
            return self.reply(200, {"multi_user": False})
        if u.path == "/apis/v2beta1/runs":
            q = parse_qs(u.query, keep_blank_values=True)
            try:
                spec.check_query("/apis/v2beta1/runs", "get", q)
                preds = parse_filter(q["filter"][0]) if "filter" in q else []
            except (Invalid, ValueError) as e:
                self.record(False, str(e))
                return self.error(400, 3, str(e))
            self.record(True)
            with runs.lock:
                out = [runs.runs[i] for i in runs.order]
            for p in preds:
                if p["operation"] == "EQUALS" and p.get("key") in ("display_name", "name"):
                    out = [r for r in out if r["display_name"] == p.get("string_value")]
            if "experiment_id" in q:
                out = [r for r in out if r.get("experiment_id") == q["experiment_id"][0]]
            return self.reply(200, {"runs": out, "total_size": len(out)} if out else {})
        m = re.match(r"^/apis/v2beta1/runs/([^/:]+)$", u.path)
        if m:
            self.record(True)
            with runs.lock:
                run = runs.runs.get(m.group(1))
            if not run:
                return self.error(404, 5, f"Run {m.group(1)} not found")
            return self.reply(200, run)
        self.error(404, 5, "Not Found")

    def do_POST(self):
        u = urlparse(self.path)
        runs = self.server.runs
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if u.path in ("/standin/pause", "/standin/resume"):
            (runs.paused.set if u.path == "/standin/pause" else runs.paused.clear)()
            return self.reply(200, {})
        if u.path != "/apis/v2beta1/runs":
            return self.error(404, 5, "Not Found")
        try:
            body = json.loads(raw or b"null")
            self.server.spec.check(body, self.server.spec.body_schema("/apis/v2beta1/runs", "post"), "run")
            if not body.get("display_name"):
                raise Invalid("run.display_name: required")
            ref = body.get("pipeline_version_reference") or {}
            if not ref.get("pipeline_id"):
                raise Invalid("run.pipeline_version_reference.pipeline_id: required")
            if "runtime_config" not in body:
                raise Invalid("run.runtime_config: required")
        except (Invalid, ValueError) as e:
            self.record(False, str(e))
            return self.error(400, 3, str(e))
        self.record(True)
        a = self.server.args
        if ref.get("pipeline_id") != a.pipeline_id or ref.get("pipeline_version_id", a.version_id) != a.version_id:
            return self.error(404, 5, "pipeline or pipeline version not found")
        run = {
            "run_id": str(uuid.uuid4()),
            "display_name": body["display_name"],
            "description": body.get("description", ""),
            "experiment_id": body.get("experiment_id", "default"),
            "pipeline_version_reference": ref,
            "runtime_config": body["runtime_config"],
            "storage_state": "AVAILABLE",
            "created_at": now(),
            "scheduled_at": now(),
            "state_history": [],
        }
        with runs.lock:
            runs.set_state(run, "PENDING")
            runs.runs[run["run_id"]] = run
            runs.order.append(run["run_id"])
        runs.work.put(run["run_id"])
        self.reply(200, run)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--pipeline-id", required=True)
    ap.add_argument("--version-id", required=True)
    ap.add_argument("--pipeline-root", required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.spec = Spec(args.spec)
    server.args = args
    server.runs = Runs(args)
    print(f"kfp stand-in on {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    except Exception:
        traceback.print_exc()
        raise
