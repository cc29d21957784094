"""Tests of this model's code on synthetic data (docs/testing.md).

`nx run <model>:test` (or `cairn task test <model>`) runs them with CAIRN_SYNTH_FILE, rows made
from the dataset's validation spec, and CAIRN_SYNTH_EDGE_FILE, its edge cases: every declared
boundary, nulls where allowed, a rare class. No real data and no full training: they take
seconds. unittest runs them (`python3 -B -m unittest test_model`), and so does pytest.
"""
import contextlib
import filecmp
import io
import json
import math
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the model's folder
import train  # noqa: E402
from predict import Model, to_matrix  # noqa: E402

with open(os.path.join(HERE, "model.json"), encoding="utf-8") as handle:
    CONFIG = json.load(handle)
LABEL = os.environ.get("CAIRN_LABEL", CONFIG["label"])


def synthetic(variable):
    path = os.environ.get(variable)
    if not path:
        raise RuntimeError(f"{variable} is not set: run these tests with `nx run <model>:test`")
    return path


class ModelCodeOnSyntheticData(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.train_file = synthetic("CAIRN_SYNTH_FILE")
        cls.rows = train.read_rows(cls.train_file)
        cls.edge_rows = train.read_rows(synthetic("CAIRN_SYNTH_EDGE_FILE"))
        cls.names = CONFIG.get("features") or [c for c in cls.rows[0] if c != LABEL]
        cls.scratch = tempfile.mkdtemp(prefix="model-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def train_on(self, name):
        """Runs train.py's main as Cairn would (docs/model-contract.md), in this process so
        scikit-learn is imported once, and returns the artifact folder."""
        output_dir = os.path.join(self.scratch, name)
        settings = {"CAIRN_TRAIN_FILE": self.train_file, "CAIRN_OUTPUT_DIR": output_dir, "CAIRN_ENVIRONMENT_FILE": ""}
        previous = os.getcwd()
        os.chdir(HERE)  # train.py reads ./model.json, as when Cairn runs it in this folder
        try:
            with mock.patch.dict(os.environ, settings), contextlib.redirect_stdout(io.StringIO()):
                train.main()
        except SystemExit as failed:
            self.fail(f"train.py exited with {failed.code}")
        finally:
            os.chdir(previous)
        return output_dir

    def test_loads_the_label_and_every_feature(self):
        self.assertGreater(len(self.rows), 0)
        for column in [LABEL, *self.names]:
            self.assertIn(column, self.rows[0])

    def test_encodes_every_row_edge_cases_included(self):
        features = train.infer_features(self.rows, self.names)
        matrix = to_matrix(self.rows + self.edge_rows, features)
        self.assertEqual(matrix.shape, (len(self.rows) + len(self.edge_rows), len(features)))
        for feature, column in zip(features, matrix.T):
            if feature["type"] == "number":
                # nan marks a missing value for the imputer; anything else must be a finite number.
                self.assertTrue(all(isinstance(v, float) and (math.isnan(v) or math.isfinite(v)) for v in column))

    def test_trains_an_artifact_that_predicts_a_known_label_for_every_edge_case(self):
        model = Model(self.train_on("artifact"))
        predictions = model.predict(self.edge_rows)
        self.assertEqual(len(predictions), len(self.edge_rows))
        for prediction in predictions:
            if model.labels is None:
                self.assertTrue(math.isfinite(prediction["label"]))
            else:
                self.assertIn(prediction["label"], model.labels)

    def test_trains_the_same_model_twice_from_the_same_seed(self):
        first, second = self.train_on("once"), self.train_on("again")
        self.assertTrue(filecmp.cmp(os.path.join(first, "model.pkl"), os.path.join(second, "model.pkl"), shallow=False))


if __name__ == "__main__":
    unittest.main()
