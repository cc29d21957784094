// Regenerates the example datasets from the upstream copies they came from.
//
//   node examples/datasets/import-from-shared.mjs <datasets-dir>
//
// <datasets-dir> holds `sklearn-1.2.1/{iris,wine_data,breast_cancer}.csv` (as shipped in
// scikit-learn 1.2.1) and `vega/penguins.json` (vega-datasets 3.2.1). Nothing reads that
// folder at run time: the CSVs it writes are committed, this script only documents (and
// can repeat) the conversion.
//
// scikit-learn's CSVs start with a line `n_samples,n_features,<class names>…` and end each
// row with the class index; here they get named columns (the feature names of
// sklearn.datasets.load_*, snake-cased) and the class name as a string label. Field text
// is copied verbatim. Penguins: the 11 rows with a missing measurement or sex (null or
// ".") are dropped, leaving 333 complete rows.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2];
if (!source) {
  console.error('usage: node import-from-shared.mjs <datasets-dir>');
  process.exit(2);
}

const measures = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave_points',
  'symmetry',
  'fractal_dimension',
];

const sklearnDatasets = [
  {
    name: 'iris',
    file: 'iris.csv',
    label: 'species',
    features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
  },
  {
    name: 'wine',
    file: 'wine_data.csv',
    label: 'cultivar',
    features: [
      'alcohol',
      'malic_acid',
      'ash',
      'alcalinity_of_ash',
      'magnesium',
      'total_phenols',
      'flavanoids',
      'nonflavanoid_phenols',
      'proanthocyanins',
      'color_intensity',
      'hue',
      'od280_od315_of_diluted_wines',
      'proline',
    ],
  },
  {
    name: 'breast-cancer',
    file: 'breast_cancer.csv',
    label: 'diagnosis',
    features: [
      ...measures.map((m) => `mean_${m}`),
      ...measures.map((m) => `${m}_error`),
      ...measures.map((m) => `worst_${m}`),
    ],
  },
];

function writeCsv(name, header, rows) {
  const lines = [header, ...rows].map((fields) => fields.join(','));
  const target = path.join(here, name, `${name}.csv`);
  fs.writeFileSync(target, lines.join('\n') + '\n');
  console.log(`${target}: ${rows.length} rows`);
}

for (const dataset of sklearnDatasets) {
  const lines = fs
    .readFileSync(path.join(source, 'sklearn-1.2.1', dataset.file), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const [nSamples, nFeatures, ...classNames] = lines[0].split(',');
  if (Number(nFeatures) !== dataset.features.length || Number(nSamples) !== lines.length - 1) {
    throw new Error(`${dataset.file}: header ${lines[0]} does not match the expected shape`);
  }
  const rows = lines.slice(1).map((line, i) => {
    const fields = line.split(',');
    const classIndex = Number(fields.pop());
    if (fields.length !== dataset.features.length || classNames[classIndex] === undefined) {
      throw new Error(`${dataset.file}: row ${i + 2} is malformed`);
    }
    return [...fields, classNames[classIndex]];
  });
  writeCsv(dataset.name, [...dataset.features, dataset.label], rows);
}

const penguinColumns = [
  ['species', 'Species'],
  ['island', 'Island'],
  ['beak_length_mm', 'Beak Length (mm)'],
  ['beak_depth_mm', 'Beak Depth (mm)'],
  ['flipper_length_mm', 'Flipper Length (mm)'],
  ['body_mass_g', 'Body Mass (g)'],
  ['sex', 'Sex'],
];
const penguins = JSON.parse(fs.readFileSync(path.join(source, 'vega', 'penguins.json'), 'utf8'));
const complete = penguins.filter((p) => penguinColumns.every(([, key]) => p[key] !== null && p[key] !== '.'));
writeCsv(
  'penguins',
  penguinColumns.map(([column]) => column),
  complete.map((p) => penguinColumns.map(([, key]) => String(p[key]))),
);
