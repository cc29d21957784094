'use strict';
// The `node` runtime entry of a model trained by train.mjs (see docs/model-contract.md).
// train.mjs copies this file into the artifact, so an artifact carries its own reader:
//
//   const model = await require(path.join(dir, 'predict.cjs')).load(dir);
//   model.predict([{ sepal_length: 5.1, ... }]); // [{ label: 'setosa', probabilities: [...] }]
//
// train.mjs also uses `encodeRow` from here, so training and serving encode rows the same way.
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const ESTIMATOR_FILE = 'estimator.json';

/**
 * Resolves an ml.js library. Artifacts are read from wherever Cairn put them (dist/, the
 * content store, a temp dir), where a plain `require` may not reach the workspace's
 * node_modules, so the workspace of the running process (its working directory) is tried
 * first, then this file's own location.
 */
function requireLibrary(name) {
  try {
    return createRequire(path.join(process.cwd(), 'package.json'))(name);
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
  }
  try {
    return require(name);
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      `cannot find "${name}" from ${process.cwd()} nor ${__dirname}: ` +
        'run from the workspace that trained the model, or set NODE_PATH to its node_modules',
    );
  }
}

/** A number, or null when the value is missing (undefined, null or blank). */
function toNumber(value, featureName) {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) {
    throw new Error(`feature "${featureName}" must be a number, got ${JSON.stringify(value)}`);
  }
  return number;
}

/**
 * Encodes one row as the numeric vector the estimator was trained on. Numbers: a missing
 * value becomes the training mean, then (if the feature is scaled) (x - mean) / std.
 * Strings: one-hot over the categories seen in training; a missing or unseen category
 * encodes as all zeros.
 */
function encodeRow(row, preprocessing) {
  const vector = [];
  for (const feature of preprocessing.features) {
    const value = row[feature.name];
    if (feature.type === 'number') {
      const number = toNumber(value, feature.name);
      const filled = number === null ? feature.mean : number;
      vector.push(feature.scaled ? (filled - feature.mean) / feature.std : filled);
    } else {
      const text = value === undefined || value === null ? '' : String(value);
      for (const category of feature.categories) vector.push(text === category ? 1 : 0);
    }
  }
  return vector;
}

function voteShares(classIndexes, classCount) {
  const votes = new Array(classCount).fill(0);
  for (const index of classIndexes) votes[index] += 1;
  return votes.map((count) => count / classIndexes.length);
}

/** Per algorithm: rebuild the ml.js model from its toJSON() and answer for encoded rows. */
const estimators = {
  'random-forest'(state) {
    const { RandomForestClassifier, RandomForestRegression } = requireLibrary('ml-random-forest');
    if (state.task === 'regression') {
      const forest = RandomForestRegression.load(state.model);
      return { values: (vectors) => forest.predict(vectors) };
    }
    const forest = RandomForestClassifier.load(state.model);
    // Share of trees voting for each class (ml-random-forest's predictProbability skips the
    // first tree's vote, so the votes are counted here).
    return {
      probabilities: (vectors) =>
        forest
          .predictionValues(vectors)
          .to2DArray()
          .map((votes) => voteShares(votes, state.labels.length)),
    };
  },
  'logistic-regression'(state) {
    const LogisticRegression = requireLibrary('ml-logistic-regression');
    const { Matrix } = requireLibrary('ml-matrix');
    const model = LogisticRegression.load(state.model);
    return {
      probabilities(vectors) {
        const withBias = new Matrix(vectors.map((vector) => [1, ...vector]));
        // One-vs-rest: classifier i scores P(class is NOT i); normalise 1 - score over the classes.
        const perClass = model.classifiers.map((classifier) => classifier.testScores(withBias));
        return vectors.map((_, row) => {
          const odds = perClass.map((scores) => 1 - scores[row]);
          const total = odds.reduce((sum, p) => sum + p, 0);
          return odds.map((p) => (total > 0 ? p / total : 1 / odds.length));
        });
      },
    };
  },
  knn(state) {
    const KNN = requireLibrary('ml-knn');
    const model = KNN.load(state.model);
    const neighbourTargets = (vector) =>
      model.kdTree.nearest(vector, model.k).map(([point]) => point[point.length - 1]);
    if (state.task === 'regression') {
      return {
        values: (vectors) =>
          vectors.map((vector) => {
            const targets = neighbourTargets(vector);
            return targets.reduce((sum, t) => sum + t, 0) / targets.length;
          }),
      };
    }
    return {
      probabilities: (vectors) =>
        vectors.map((vector) => voteShares(neighbourTargets(vector), state.labels.length)),
    };
  },
};

function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function fromState(state) {
  const build = estimators[state.algorithm];
  if (!build) throw new Error(`unknown algorithm "${state.algorithm}" in ${ESTIMATOR_FILE}`);
  const estimator = build(state);
  return {
    predict(rows) {
      const vectors = rows.map((row, i) => {
        try {
          return encodeRow(row, state.preprocessing);
        } catch (error) {
          throw new Error(`row ${i}: ${error.message}`);
        }
      });
      if (vectors.length === 0) return [];
      if (state.task === 'regression') return estimator.values(vectors).map((value) => ({ label: value }));
      return estimator.probabilities(vectors).map((probabilities) => ({
        label: state.labels[argmax(probabilities)],
        probabilities,
      }));
    },
  };
}

async function load(artifactDir) {
  const state = JSON.parse(fs.readFileSync(path.join(artifactDir, ESTIMATOR_FILE), 'utf8'));
  return fromState(state);
}

module.exports = { load, encodeRow, ESTIMATOR_FILE };
