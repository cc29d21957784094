"""Trains a scikit-learn model under the Cairn model contract (docs/model-contract.md).

Cairn runs `/usr/bin/python3 train.py` in this folder with CAIRN_TRAIN_FILE (CSV with a
header row), CAIRN_PARAMS_FILE, CAIRN_LABEL, CAIRN_TASK, CAIRN_SEED, CAIRN_OUTPUT_DIR and
CAIRN_METRICS_FILE set (and CAIRN_FEATURES, the feature columns, comma-separated). By hand,
only CAIRN_TRAIN_FILE and CAIRN_OUTPUT_DIR are needed: params, label, task, features and seed
then come from ./model.json (features default to every column but the label).

Needs scikit-learn and numpy only (Debian: `apt-get install python3-sklearn`; the
pyenv/venv `python3` on a PATH usually lacks them, hence the absolute interpreter path).

The artifact written to CAIRN_OUTPUT_DIR:
  model.pkl         pickle of {"pipeline": sklearn Pipeline, "labels": [...]}
  predict.py        a copy of ./predict.py, the `python` runtime worker
  cairn-model.json  the manifest (runtime, entry, task, label, labels, features)
"""
import csv
import json
import math
import os
import pickle
import shutil
import sys
import time

try:
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
except ImportError as missing:
    # Checked before any data is read, so the fix is the first thing the user sees.
    print(
        f"train.py: {sys.executable} cannot import {missing.name} ({missing}). Install scikit-learn and numpy "
        f"for it: `sudo apt-get install python3-sklearn` (Debian/Ubuntu), or `{sys.executable} -m pip install "
        "scikit-learn numpy`",
        file=sys.stderr,
    )
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the model's folder
from predict import MODEL_FILE, to_matrix  # noqa: E402  (shared with the worker)

TASKS = ("binary", "multiclass", "regression")


def fail(message):
    print(f"train.py: {message}", file=sys.stderr)
    sys.exit(1)


def log_step(step, **values):
    """Logs one step's values to Cairn's experiment record (CAIRN_STEPS_FILE); call it once per epoch or stage."""
    if os.environ.get("CAIRN_STEPS_FILE"):
        with open(os.environ["CAIRN_STEPS_FILE"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"step": step, **values}) + "\n")


def read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        fail(f"cannot read {path}: {error}")


def read_settings():
    config = read_json("model.json") if os.path.exists("model.json") else {}

    def required(name):
        value = os.environ.get(name)
        if not value:
            fail(f"{name} is not set (see docs/model-contract.md)")
        return value

    params_file = os.environ.get("CAIRN_PARAMS_FILE")
    settings = {
        "train_file": required("CAIRN_TRAIN_FILE"),
        "output_dir": required("CAIRN_OUTPUT_DIR"),
        "metrics_file": os.environ.get("CAIRN_METRICS_FILE"),
        "params": read_json(params_file) if params_file else config.get("params", {}),
        "label": os.environ.get("CAIRN_LABEL", config.get("label")),
        "task": os.environ.get("CAIRN_TASK", config.get("task")),
        "seed": os.environ.get("CAIRN_SEED", config.get("seed", 42)),
        "features": os.environ["CAIRN_FEATURES"].split(",")
        if os.environ.get("CAIRN_FEATURES")
        else config.get("features"),
    }
    if not settings["label"]:
        fail('no label column: set CAIRN_LABEL or "label" in model.json')
    if settings["task"] not in TASKS:
        fail(f"task must be one of {', '.join(TASKS)}, got {settings['task']!r}")
    if not str(settings["seed"]).isdigit():
        fail(f"CAIRN_SEED must be an integer, got {settings['seed']!r}")
    settings["seed"] = int(settings["seed"])
    return settings


def read_rows(path):
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = []
            for row in reader:
                if None in row or None in row.values():
                    fail(f"{path}: line {reader.line_num} does not have {len(reader.fieldnames)} fields")
                rows.append({k: v.strip() for k, v in row.items()})
            return rows
    except (OSError, csv.Error) as error:
        fail(f"cannot read {path}: {error}")


def is_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def label_values(rows, label):
    """Labels keep their type, as Cairn reads them back for evaluation: numbers when all are numeric."""
    texts = [row[label] for row in rows]
    if not all(is_number(text) for text in texts):
        return np.array(texts, dtype=object)
    numbers = [float(text) for text in texts]
    if all(number.is_integer() for number in numbers):
        return np.array([int(number) for number in numbers])
    return np.array(numbers)


def infer_features(rows, names):
    """A column whose non-missing values all parse as numbers is numeric, any other a string."""
    features = []
    for name in names:
        values = [row[name] for row in rows if row[name] != ""]
        numeric = bool(values) and all(is_number(v) for v in values)
        features.append({"name": name, "type": "number" if numeric else "string"})
    return features


def build_estimator(algorithm, regression, params, seed):
    if algorithm == "random-forest":
        options = dict(
            n_estimators=params.get("nEstimators", 25),
            max_depth=params.get("maxDepth"),
            random_state=seed,
        )
        return RandomForestRegressor(**options) if regression else RandomForestClassifier(**options)
    if algorithm == "logistic-regression":
        if regression:
            fail("logistic-regression is a classifier; use random-forest or knn for regression")
        return LogisticRegression(C=params.get("C", 1.0), max_iter=params.get("maxIter", 1000), random_state=seed)
    if algorithm == "knn":
        k = params.get("k", 5)
        return KNeighborsRegressor(n_neighbors=k) if regression else KNeighborsClassifier(n_neighbors=k)
    fail(f"params.algorithm must be random-forest, logistic-regression or knn, got {algorithm!r}")


def build_pipeline(features, estimator, standardize):
    """Numbers: mean-imputed (and standardized); strings: one-hot, unseen categories ignored."""
    numeric = [i for i, f in enumerate(features) if f["type"] == "number"]
    strings = [i for i, f in enumerate(features) if f["type"] == "string"]
    number_steps = [SimpleImputer(strategy="mean")] + ([StandardScaler()] if standardize else [])
    encoder = ColumnTransformer(
        [
            ("numbers", make_pipeline(*number_steps), numeric),
            ("strings", OneHotEncoder(handle_unknown="ignore"), strings),
        ]
    )
    return Pipeline([("encode", encoder), ("estimate", estimator)])


def report_environment():
    """Python and the version of every distribution this run imported, for the run record: what a
    reproduction has to install again (written to CAIRN_ENVIRONMENT_FILE when Cairn asks)."""
    path = os.environ.get("CAIRN_ENVIRONMENT_FILE")
    if not path:
        return
    import platform
    from importlib import metadata

    # packages_distributions is Python 3.10+; older interpreters report the runtime only.
    owners = metadata.packages_distributions() if hasattr(metadata, "packages_distributions") else {}
    packages = {}
    for module in list(sys.modules):
        for distribution in owners.get(module.partition(".")[0], []):
            try:
                packages[distribution] = metadata.version(distribution)
            except metadata.PackageNotFoundError:
                pass
    report = {"runtime": "python", "version": platform.python_version(), "packages": dict(sorted(packages.items()))}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")


def main():
    started = time.perf_counter()
    settings = read_settings()
    params, label, task = settings["params"], settings["label"], settings["task"]
    train_file = settings["train_file"]
    algorithm = params.get("algorithm", "random-forest")
    rows = read_rows(train_file)
    if not rows:
        fail(f"{train_file} has no data rows")
    columns = list(rows[0].keys())
    if label not in columns:
        fail(f'label column "{label}" is not in {train_file} (columns: {",".join(columns)})')
    names = settings["features"] or [c for c in columns if c != label]
    for name in names:
        if name not in columns:
            fail(f'feature "{name}" is not in {train_file}')
    for i, row in enumerate(rows):
        if row[label] == "":
            fail(f'{train_file}: data row {i + 1} has no "{label}"')

    regression = task == "regression"
    features = infer_features(rows, names)
    X = to_matrix(rows, features)
    y = label_values(rows, label)
    if regression and y.dtype == object:
        fail(f'{train_file}: "{label}" must be numeric for regression')

    standardize = params.get("standardize", algorithm != "random-forest")
    estimator = build_estimator(algorithm, regression, params, settings["seed"])
    pipeline = build_pipeline(features, estimator, standardize)
    pipeline.fit(X, y)
    labels = None if regression else [c.item() if hasattr(c, "item") else c for c in pipeline.classes_]

    output_dir = settings["output_dir"]
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, MODEL_FILE), "wb") as handle:
        pickle.dump({"pipeline": pipeline, "labels": labels}, handle)
    shutil.copyfile(os.path.join(HERE, "predict.py"), os.path.join(output_dir, "predict.py"))
    manifest = {"runtime": "python", "entry": "predict.py", "task": task, "label": label}
    if labels is not None:
        manifest["labels"] = labels
    manifest["features"] = features
    with open(os.path.join(output_dir, "cairn-model.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")

    predicted = pipeline.predict(X)
    metrics = {"n_train": len(rows), "n_features": len(features)}
    if regression:
        metrics["train_rmse"] = float(np.sqrt(np.mean((predicted - y) ** 2)))
    else:
        metrics["train_accuracy"] = float(np.mean(predicted == y))
    # These estimators fit in one step; a model trained in epochs logs each one the same way.
    log_step(1, **{key: value for key, value in metrics.items() if key.startswith("train_")})
    if settings["metrics_file"]:
        with open(settings["metrics_file"], "w", encoding="utf-8") as handle:
            json.dump(metrics, handle, indent=2)
            handle.write("\n")
    report_environment()
    seconds = time.perf_counter() - started
    print(f"trained {algorithm} on {len(rows)} rows in {seconds:.2f}s: {json.dumps(metrics)}")


if __name__ == "__main__":
    main()
