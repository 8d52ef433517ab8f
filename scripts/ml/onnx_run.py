"""Runs an ONNX file in onnxruntime (CPU) on rows of float64 features; prints the first output as JSON.

usage: onnx_run.py MODEL.onnx ROWS.json   (ROWS.json: [[f1, f2, ...], ...], fed as the input tensor X)"""
import json, sys
import numpy as np
import onnxruntime as ort

session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
with open(sys.argv[2]) as f:
    x = np.asarray(json.load(f), dtype=np.float64)
out = session.run(None, {session.get_inputs()[0].name: x})[0]
print(json.dumps(out.tolist()))
