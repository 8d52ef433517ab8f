"""Reads one training-data file back, independently of Riffle, and prints what it holds as JSON:
{"rows": n, "rowsChecksum": "<sha256 riffle-rows-v1>", "fileSha256": "...", "columns": [...]}.

Parquet is read with pyarrow.parquet; CSV with pyarrow.csv (column types from the manifest);
JSONL line by line. The canonical row form (riffle-rows-v1) is defined in
src/ml/training-data/format.ts; this is a second implementation of it, so the test compares two.
Usage: python training_data_check.py <manifest.json | s3://bucket/key.manifest.json>
An s3:// manifest is read, with its data file, through pyarrow's S3 filesystem: endpoint and
credentials from RIFFLE_S3_ENDPOINT (http://host:port), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
"""
import hashlib
import json
import os
import struct
import sys

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq


def cell(v, kind):
    if v is None:
        return "\\N"
    if kind == "BOOLEAN":
        return "1" if v else "0"
    if kind in ("INT32", "INT64", "TIMESTAMP_MS"):
        return str(int(v))
    if kind == "DOUBLE":
        return struct.pack(">d", float(v)).hex()
    return str(v).encode("utf-8").hex()


ARROW = {"BOOLEAN": pa.bool_(), "INT32": pa.int32(), "INT64": pa.int64(), "DOUBLE": pa.float64(),
         "TIMESTAMP_MS": pa.int64(), "STRING": pa.string()}


def read_columns(path, fmt, schema, fs=None):
    names = [c["name"] for c in schema]
    kinds = [c["stored"] for c in schema]
    if fmt == "parquet":
        table = pq.read_table(path, filesystem=fs)
        cols = []
        for name, kind in zip(names, kinds):
            col = table.column(name)
            if kind == "TIMESTAMP_MS":
                col = col.cast(pa.timestamp("ms")).cast(pa.int64())
            cols.append(col.to_pylist())
        return table.num_rows, cols, [str(t) for t in table.schema.types]
    if fmt == "csv":
        opts = pcsv.ConvertOptions(column_types={n: ARROW[k] for n, k in zip(names, kinds)},
                                   strings_can_be_null=True, quoted_strings_can_be_null=False,
                                   null_values=[""])
        table = pcsv.read_csv(fs.open_input_stream(path) if fs else path, convert_options=opts)
        return table.num_rows, [table.column(n).to_pylist() for n in names], [str(t) for t in table.schema.types]
    rows = []
    text = fs.open_input_stream(path).read().decode("utf-8") if fs else open(path, encoding="utf-8").read()
    for line in text.splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return len(rows), [[r.get(n) for r in rows] for n in names], []


def s3_filesystem():
    from pyarrow import fs as pafs
    endpoint = os.environ["RIFFLE_S3_ENDPOINT"]
    scheme, host = endpoint.split("://", 1)
    return pafs.S3FileSystem(endpoint_override=host.rstrip("/"), scheme=scheme,
                             access_key=os.environ["AWS_ACCESS_KEY_ID"], secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                             region=os.environ.get("AWS_REGION", "us-east-1"))


def main():
    manifest_path = sys.argv[1]
    fs = None
    if manifest_path.startswith("s3://"):
        fs = s3_filesystem()
        manifest_path = manifest_path[len("s3://"):]
        m = json.loads(fs.open_input_stream(manifest_path).read().decode("utf-8"))
    else:
        with open(manifest_path) as f:
            m = json.load(f)
    path = os.path.join(os.path.dirname(manifest_path), m["file"])
    if fs:
        file_sha = hashlib.sha256(fs.open_input_stream(path).read()).hexdigest()
    else:
        with open(path, "rb") as f:
            file_sha = hashlib.sha256(f.read()).hexdigest()
    n, cols, types = read_columns(path, m["fileFormat"], m["schema"], fs)
    kinds = [c["stored"] for c in m["schema"]]
    h = hashlib.sha256()
    for i in range(n):
        h.update((",".join(cell(cols[j][i], kinds[j]) for j in range(len(kinds))) + "\n").encode("utf-8"))
    print(json.dumps({"rows": n, "rowsChecksum": h.hexdigest(), "fileSha256": file_sha, "arrowTypes": types}))


if __name__ == "__main__":
    main()
