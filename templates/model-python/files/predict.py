"""The `python` runtime worker of a model trained by train.py (see docs/model-contract.md).

train.py copies this file into the artifact. Cairn starts it once per artifact:

    /usr/bin/python3 predict.py <artifactDir>

and writes one JSON request per line on stdin, {"id": 1, "rows": [{...}, ...]}; it answers
one line per request on stdout, {"id": 1, "predictions": [{"label": ..., "probabilities":
[...]}]} (probabilities in the order of `labels` in cairn-model.json) or {"id": 1, "error":
"message"}, and exits when stdin closes. Logs go to stderr.

train.py imports `to_matrix` from here, so training and serving encode rows the same way.
The artifact is a pickle: load only artifacts you produced yourself.
"""
import json
import math
import os
import pickle
import sys

import numpy as np

MODEL_FILE = "model.pkl"


def to_number(value, name):
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return math.nan  # imputed with the training mean by the pipeline
    if isinstance(value, bool):
        raise ValueError(f'feature "{name}" must be a number, got {json.dumps(value)}')
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f'feature "{name}" must be a number, got {json.dumps(value)}') from None
    if not math.isfinite(number):
        raise ValueError(f'feature "{name}" must be a finite number, got {json.dumps(value)}')
    return number


def to_matrix(rows, features):
    """Rows (dicts) as a 2-D object array in feature order: floats (nan when missing) and strings."""
    matrix = np.empty((len(rows), len(features)), dtype=object)
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValueError(f"row {i}: expected an object, got {json.dumps(row)}")
        for j, feature in enumerate(features):
            value = row.get(feature["name"])
            try:
                if feature["type"] == "number":
                    matrix[i, j] = to_number(value, feature["name"])
                else:
                    matrix[i, j] = "" if value is None else str(value)
            except ValueError as error:
                raise ValueError(f"row {i}: {error}") from None
    return matrix


class Model:
    def __init__(self, artifact_dir):
        with open(os.path.join(artifact_dir, "cairn-model.json"), encoding="utf-8") as handle:
            self.manifest = json.load(handle)
        with open(os.path.join(artifact_dir, MODEL_FILE), "rb") as handle:
            saved = pickle.load(handle)
        self.pipeline = saved["pipeline"]
        self.labels = saved["labels"]

    def predict(self, rows):
        if not isinstance(rows, list):
            raise ValueError('"rows" must be an array of objects')
        if not rows:
            return []
        matrix = to_matrix(rows, self.manifest["features"])
        if self.labels is None:
            return [{"label": float(value)} for value in self.pipeline.predict(matrix)]
        probabilities = self.pipeline.predict_proba(matrix)
        return [
            {"label": self.labels[int(p.argmax())], "probabilities": [float(x) for x in p]}
            for p in probabilities
        ]


def answer(model, line):
    request_id = None
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("a request must be a JSON object")
        request_id = request.get("id")
        return {"id": request_id, "predictions": model.predict(request.get("rows"))}
    except Exception as error:  # one bad request must not end the worker
        return {"id": request_id, "error": f"{type(error).__name__}: {error}"}


def main():
    if len(sys.argv) != 2:
        print("usage: predict.py <artifactDir>", file=sys.stderr)
        sys.exit(2)
    model = Model(sys.argv[1])
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(answer(model, line)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
