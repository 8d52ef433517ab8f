"""Calls a V2 (Open Inference Protocol) server with KServe's own REST client, as a user would.

Usage: v2_client.py BASE_URL MODEL INPUTS_JSON [USER PASSWORD]
INPUTS_JSON: {"name": [[v, ...], ...]} one [N, k] FP64 matrix named "name".
Prints {"outputs": {name: [values...]}, "model_name": ..., "ready": bool} as one JSON line.
"""
import asyncio
import json
import sys

import httpx
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig


async def main() -> None:
    base, model, inputs_json = sys.argv[1], sys.argv[2], sys.argv[3]
    auth = httpx.BasicAuth(sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else None
    client = InferenceRESTClient(RESTConfig(protocol="v2", retries=0, timeout=60, auth=auth))
    ready = await client.is_model_ready(base, model)
    (name, matrix), = json.loads(inputs_json).items()
    tensor = InferInput(name=name, shape=[len(matrix), len(matrix[0])], datatype="FP64", data=matrix)
    res = await client.infer(base, InferRequest(model_name=model, infer_inputs=[tensor]), model_name=model)
    outputs = {o.name: [float(v) for v in o.as_numpy().reshape(-1).tolist()] for o in res.outputs}
    print(json.dumps({"outputs": outputs, "model_name": res.model_name, "ready": ready}))
    await client.close()


asyncio.run(main())
