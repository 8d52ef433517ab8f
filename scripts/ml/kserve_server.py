#!/usr/bin/env python3
"""A real KServe model server (V1 + V2 REST, one process) serving scikit-learn joblib models,
with fault injection for the integration tests.

Usage (run with scripts/ml/.venv/kserve/bin/python):
  kserve_server.py --http-port 18080 --grpc-port 18081 \
      --model iris=WORK/iris/model.joblib:predict --model failure=WORK/failure/model.joblib:proba

  --model NAME=PATH[:OUTPUT]  OUTPUT `predict` (default): class labels, V2 tensor "predict" INT64;
                              `proba`: probability of the last class, V2 tensor "score" FP64.
  Inputs: V1 `instances` as lists (matrix) or objects keyed by feature name (columns);
          V2 one [rows, features] tensor, or one [rows] / [rows, 1] tensor per feature.

Fault injection (each also settable by env RIFFLE_FAULT_<NAME> and at run time by
POST /riffle/faults {"delay_ms": 0, "fail_first": 0, "fail_every": 0, "fail_rate": 0,
"fail_status": 500, "malformed": false}, which also resets the counters):
  --delay-ms N      sleep N ms in every predict call (slow responses)
  --fail-first N    the first N predict calls fail
  --fail-every N    every N-th predict call fails
  --fail-rate P     a fraction P of predict calls fail (seeded, reproducible)
  --fail-status S   500 (inference error), 503 (not ready) or 400 (invalid input)
  --malformed       answer with one prediction fewer than rows asked for
Per request, header `x-riffle-fault: delay=200,status=503,malformed` does the same for that call.
GET /riffle/stats -> {"predict_calls", "failed_calls", "rows", "ids": [last 200 V2 request ids]}.
"""
import argparse
import warnings
import asyncio
import json
import logging
import os
import random
import sys
from typing import Dict, List, Optional, Union

# kserve parses sys.argv at import time (parse_known_args); parse ours first and hide them.
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--http-port", type=int, required=True)
parser.add_argument("--grpc-port", type=int, required=True)
parser.add_argument("--model", action="append", required=True, help="NAME=PATH[:predict|proba]")
env = os.environ.get
parser.add_argument("--delay-ms", type=float, default=float(env("RIFFLE_FAULT_DELAY_MS", "0")))
parser.add_argument("--fail-first", type=int, default=int(env("RIFFLE_FAULT_FAIL_FIRST", "0")))
parser.add_argument("--fail-every", type=int, default=int(env("RIFFLE_FAULT_FAIL_EVERY", "0")))
parser.add_argument("--fail-rate", type=float, default=float(env("RIFFLE_FAULT_FAIL_RATE", "0")))
parser.add_argument("--fail-status", type=int, default=int(env("RIFFLE_FAULT_FAIL_STATUS", "500")))
parser.add_argument("--malformed", action="store_true", default=env("RIFFLE_FAULT_MALFORMED", "") == "1")
opts = parser.parse_args()
sys.argv = sys.argv[:1]

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import kserve  # noqa: E402

warnings.filterwarnings("ignore", message="ORJSONResponse is deprecated")
from fastapi import Request  # noqa: E402
from kserve.errors import InferenceError, InvalidInput, ServerNotReady  # noqa: E402
from kserve.model_server import app  # noqa: E402
from kserve.protocol.infer_type import InferOutput, InferRequest, InferResponse  # noqa: E402



def quiet_logs() -> None:
    """KServe logs 3 lines per request (access + timing traces): costly and noisy under load.
    RIFFLE_KSERVE_LOG=info keeps them."""
    level = logging.INFO if env("RIFFLE_KSERVE_LOG", "") == "info" else logging.WARNING
    for name in ("kserve", "kserve.trace", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).setLevel(level)


class Faults:
    """Fault settings and counters shared by every model of this process."""

    def __init__(self) -> None:
        self.set(
            dict(
                delay_ms=opts.delay_ms,
                fail_first=opts.fail_first,
                fail_every=opts.fail_every,
                fail_rate=opts.fail_rate,
                fail_status=opts.fail_status,
                malformed=opts.malformed,
            )
        )

    def set(self, settings: Dict) -> None:
        self.delay_ms = float(settings.get("delay_ms", 0))
        self.fail_first = int(settings.get("fail_first", 0))
        self.fail_every = int(settings.get("fail_every", 0))
        self.fail_rate = float(settings.get("fail_rate", 0))
        self.fail_status = int(settings.get("fail_status", 500))
        self.malformed = bool(settings.get("malformed", False))
        self.calls = 0
        self.failed = 0
        self.rows = 0
        self.ids: List[str] = []
        self.rng = random.Random(42)

    def stats(self) -> Dict:
        return {"predict_calls": self.calls, "failed_calls": self.failed, "rows": self.rows, "ids": self.ids[-200:]}


FAULTS = Faults()


def raise_status(status: int, why: str) -> None:
    if status == 503:
        raise ServerNotReady(why)
    if status == 400:
        raise InvalidInput(why)
    raise InferenceError(why)


def parse_header(value: Optional[str]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for part in (value or "").split(","):
        part = part.strip()
        if part:
            key, _, val = part.partition("=")
            out[key.strip()] = val.strip()
    return out


class SklearnModel(kserve.Model):
    def __init__(self, name: str, path: str, output: str):
        super().__init__(name)
        self.path = path
        self.output = output
        self.model = None
        self.n_features = 0

    def load(self) -> bool:
        self.model = joblib.load(self.path)
        self.n_features = int(self.model.n_features_in_)
        self.ready = True
        return self.ready

    def get_input_types(self) -> List[Dict]:
        return [{"name": "input-0", "datatype": "FP64", "shape": [-1, self.n_features]}]

    def get_output_types(self) -> List[Dict]:
        if self.output == "proba":
            return [{"name": "score", "datatype": "FP64", "shape": [-1]}]
        return [{"name": "predict", "datatype": "INT64", "shape": [-1]}]

    def _run(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise InvalidInput(f"expected {self.n_features} features per row, got shape {list(x.shape)}")
        if self.output == "proba":
            return self.model.predict_proba(x)[:, -1].astype(np.float64)
        return self.model.predict(x).astype(np.int64)

    @staticmethod
    def _v2_matrix(req: InferRequest) -> np.ndarray:
        if len(req.inputs) == 1:
            arr = np.asarray(req.inputs[0].as_numpy(), dtype=np.float64)
            return arr.reshape(arr.shape[0], -1) if arr.ndim >= 1 else arr.reshape(1, 1)
        # One tensor per feature, in request order.
        cols = [np.asarray(t.as_numpy(), dtype=np.float64).reshape(-1) for t in req.inputs]
        if len({c.shape[0] for c in cols}) != 1:
            raise InvalidInput("input tensors have different row counts")
        return np.column_stack(cols)

    def _v1_matrix(self, payload: Dict) -> np.ndarray:
        instances = payload.get("instances")
        if not isinstance(instances, list):
            raise InvalidInput('expected "instances" to be a list')
        if instances and isinstance(instances[0], dict):
            names = list(instances[0].keys())
            try:
                return np.asarray([[row[k] for k in names] for row in instances], dtype=np.float64)
            except (KeyError, TypeError, ValueError) as e:
                raise InvalidInput(f"bad instance: {e}")
        try:
            return np.asarray(instances, dtype=np.float64).reshape(len(instances), -1)
        except (TypeError, ValueError) as e:
            raise InvalidInput(f"bad instances: {e}")

    async def predict(
        self, payload: Union[Dict, InferRequest], headers: Dict[str, str] = None
    ) -> Union[Dict, InferResponse]:
        FAULTS.calls += 1
        call = FAULTS.calls
        if isinstance(payload, (bytes, bytearray)):  # V1 body sent without a JSON content type
            try:
                payload = json.loads(payload)
            except ValueError as e:
                raise InvalidInput(f"body is not JSON: {e}")
        is_v2 = isinstance(payload, InferRequest)
        if is_v2 and payload.id is not None:
            FAULTS.ids.append(str(payload.id))
        fault = parse_header((headers or {}).get("x-riffle-fault"))
        delay_ms = float(fault.get("delay", FAULTS.delay_ms))
        if delay_ms > 0:
            await asyncio.sleep(delay_ms / 1000.0)
        status = int(fault.get("status", FAULTS.fail_status))
        fail = (
            "status" in fault
            or call <= FAULTS.fail_first
            or (FAULTS.fail_every > 0 and call % FAULTS.fail_every == 0)
            or (FAULTS.fail_rate > 0 and FAULTS.rng.random() < FAULTS.fail_rate)
        )
        if fail:
            FAULTS.failed += 1
            raise_status(status, f"injected fault on predict call {call}")
        malformed = FAULTS.malformed or "malformed" in fault

        x = self._v2_matrix(payload) if is_v2 else self._v1_matrix(payload)
        y = self._run(x)
        FAULTS.rows += x.shape[0]
        if malformed:
            y = y[:-1]
        if not is_v2:
            return {"predictions": y.tolist()}
        meta = self.get_output_types()[0]
        out = InferOutput(name=meta["name"], shape=[int(y.shape[0])], datatype=meta["datatype"], data=y.tolist())
        return InferResponse(
            response_id=payload.id or "", model_name=self.name, infer_outputs=[out]
        )


@app.get("/riffle/stats")
async def riffle_stats() -> Dict:
    return FAULTS.stats()


@app.post("/riffle/faults")
async def riffle_faults(request: Request) -> Dict:
    FAULTS.set(await request.json())
    return {"ok": True}


def main() -> None:
    models = []
    for spec in opts.model:
        name, _, rest = spec.partition("=")
        path, _, output = rest.partition(":")
        if not name or not path or output not in ("", "predict", "proba"):
            parser.error(f"bad --model {spec!r}: want NAME=PATH[:predict|proba]")
        model = SklearnModel(name, path, output or "predict")
        model.load()
        models.append(model)
    # ModelServer() configures logging; quieten it afterwards.
    server = kserve.ModelServer(http_port=opts.http_port, grpc_port=opts.grpc_port)
    quiet_logs()
    server.start(models)


if __name__ == "__main__":
    main()
