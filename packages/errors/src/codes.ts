/**
 * The registry of every error code Cairn reports, in one place: tests and
 * callers branch on these codes (never on message text), `docs/errors.md` is
 * generated from this object (`npm run docs:errors`), and a spec fails when a
 * code here is unused or a thrown code is missing here.
 *
 * Each entry: the family (which sets the class and the exit status, see
 * `FAMILIES`), a one-line summary of what the code means, and a hint when
 * the fix is always the same. Keep entries sorted by code.
 */

/** What a code's family says about a failure, and the status a command exits with for it. */
export const FAMILIES = {
  usage: {
    exitCode: 2,
    summary: 'A command-line flag, option or argument is missing, malformed or contradicts another.',
  },
  input: {
    exitCode: 2,
    summary:
      'A file, field or row the user supplied (config, pointer, spec, table, metrics, model, request) is invalid or missing.',
  },
  check: {
    exitCode: 1,
    summary: 'The command ran and what it checked failed: a gate, a drift test, a validation.',
  },
  model: {
    exitCode: 1,
    summary: "The user's training command or model code ran and failed, or broke its contract.",
  },
  store: {
    exitCode: 2,
    summary:
      'The workspace or the content store is not in a state the command can work with (missing, corrupt, untracked, modified data).',
  },
  remote: {
    exitCode: 2,
    summary:
      'A remote or network service (object remote, S3, Grafana) refused, failed or could not be reached.',
  },
  system: {
    exitCode: 2,
    summary:
      'The machine cannot do what was asked: a port in use, an unwritable path, a missing program, a held lock.',
  },
  internal: {
    exitCode: 70,
    summary: 'An invariant of Cairn itself broke: a bug, never caused by input; please report it.',
  },
} as const;

export type ErrorFamily = keyof typeof FAMILIES;

export interface ErrorCodeInfo {
  family: ErrorFamily;
  /** Only where a code must exit differently from its family. */
  exitCode?: number;
  summary: string;
  hint?: string;
}

export const CODES = {
  ANONYMIZE_IN_PLACE: {
    family: 'usage',
    summary: 'anonymize was asked to write over its input file.',
    hint: 'write to a new path, then `cairn add` it as the next version',
  },
  ANONYMIZE_KEY_MISSING: {
    family: 'usage',
    summary: 'anonymize needs exactly one key source: --key-env or --key-file.',
  },
  ANONYMIZE_KEY_WEAK: {
    family: 'input',
    summary: 'The anonymization key is shorter than the minimum number of bytes.',
    hint: 'generate one with `openssl rand -hex 32`',
  },
  ARTIFACT_INVALID: {
    family: 'input',
    summary: 'The training command did not write a valid cairn-model.json into CAIRN_OUTPUT_DIR.',
    hint: 'see docs/model-contract.md',
  },
  AUDIT_ENTRY_INVALID: {
    family: 'usage',
    summary: 'An audit entry to append has no kind, subject or reason, or a kind outside `word.word`.',
  },
  AUDIT_TAMPERED: {
    family: 'check',
    summary:
      'The audit log was edited, truncated, reordered or had entries deleted or inserted; the first bad entry is named.',
    hint: 'compare the registry ref with a clone that has not been tampered with (`git fetch origin refs/cairn/*:refs/remotes/origin/cairn/*`)',
  },
  AUTH_REQUIRED: {
    family: 'usage',
    summary: 'The cache server would start without tokens; it needs --tokens or an explicit --no-auth.',
  },
  CANARY_PROMETHEUS_FAILED: {
    family: 'remote',
    summary: 'Prometheus could not be reached or refused a canary analysis query.',
  },
  CHECKOUT_LINK_FAILED: {
    family: 'system',
    summary: 'checkout could not link or copy a stored object into the workspace.',
  },
  CHECKOUT_LINK_UNSAFE_FOR_ROOT: {
    family: 'store',
    summary: 'Warning: hard or sym links from the store are unsafe when running as root; copies are used.',
  },
  CHECKOUT_WOULD_OVERWRITE: {
    family: 'store',
    summary: 'checkout would overwrite a file that differs from what its pointer records.',
    hint: 'record it with `cairn add`, or pass --force to discard the edit',
  },
  COMPARE_INVALID_JSON: { family: 'input', summary: 'A file given to compare is not valid JSON.' },
  COMPARE_INVALID_METRICS: {
    family: 'input',
    summary: 'A metrics file given to compare is not a JSON object of metrics.',
  },
  COMPARE_INVALID_RULES: {
    family: 'input',
    summary: 'A rules file given to compare is not a JSON object of gate rules.',
  },
  CONFIG_INVALID: {
    family: 'input',
    summary:
      'A Cairn config file (.cairn/config.json, a dataset.json or model.json) is not valid JSON or violates its schema; data: {file, pointer}.',
  },
  CURRENT_DATA_REQUIRED: {
    family: 'usage',
    summary: 'The drift target needs new data: --current FILE or CAIRN_DRIFT_CURRENT.',
  },
  DATASET_SPEC_INVALID: {
    family: 'input',
    summary: 'A dataset spec is malformed: schema violation, contradictory bounds or an invalid pattern.',
  },
  DATASET_SPEC_NOT_FOUND: {
    family: 'input',
    summary: 'The dataset spec file does not exist or cannot be read.',
  },
  DATASET_SPEC_PATTERN_UNSUPPORTED: {
    family: 'input',
    summary:
      'A spec pattern uses backreferences or lookaround, which the linear-time engine (RE2) cannot run.',
  },
  DATASET_UNREADABLE: {
    family: 'input',
    summary:
      'A dataset file cannot be read as a table; data names the file and, where known, row and column.',
  },
  DATA_MALFORMED: {
    family: 'input',
    summary: 'A data file cannot be parsed as the table its extension says.',
    hint: 'run `cairn validate` on it first',
  },
  DATA_MODIFIED: {
    family: 'store',
    summary: 'Tracked data differs from its pointer (edited without `cairn add`), so no task may run on it.',
    hint: 'run `cairn add` to record the new version, or `cairn checkout --force` to discard the edit',
  },
  DATA_NOT_A_FILE: { family: 'input', summary: 'The data path is a folder or special file, not a file.' },
  DATA_UNAVAILABLE: {
    family: 'store',
    summary:
      'The data a pointer names is in neither the local store nor the default remote; data: {file, hash, remote, missing}.',
    hint: 'run `cairn pull`, or `cairn push` from the machine that has it',
  },
  DEPLOY_CONFIG_INVALID: {
    family: 'input',
    summary:
      "model.json's deploy block contradicts itself (replica bounds, disruption budget, canary weights).",
  },
  DEPLOY_OBJECT_INVALID: {
    family: 'internal',
    summary: 'A Kubernetes or Argo Rollouts object Cairn generated fails its schema.',
  },
  DRIFT_DETECTED: { family: 'check', summary: 'The drift check found drift above the threshold.' },
  DRIFT_EMPTY_SAMPLE: { family: 'input', summary: 'A drift sample (reference or current) has no values.' },
  DRIFT_FREQUENCY_MISMATCH: {
    family: 'input',
    summary: 'Observed and expected frequencies of a drift test differ in length or total.',
  },
  DRIFT_INVALID_THRESHOLD: {
    family: 'usage',
    summary: 'A drift threshold is not a number in its valid range.',
  },
  DRIFT_INVALID_VALUE: {
    family: 'input',
    summary: 'A drift sample holds a value the test cannot use (NaN, ±∞).',
  },
  DRIFT_INVALID_WEIGHTS: {
    family: 'input',
    summary: 'Drift weights are negative, non-finite or sum to zero.',
  },
  DRIFT_NO_COLUMNS: { family: 'input', summary: 'Reference and current data share no column to test.' },
  DRIFT_TEST_NOT_APPLICABLE: {
    family: 'usage',
    summary: 'The chosen drift test cannot run on this column type.',
  },
  DRIFT_UNKNOWN_COLUMN: { family: 'usage', summary: 'A column named for drift is not in the data.' },
  DRIFT_UNKNOWN_TEST: { family: 'usage', summary: 'The drift test name is not one Cairn knows.' },
  DVC_CACHE_CORRUPT: {
    family: 'store',
    summary:
      "An object in DVC's cache does not match the md5 its .dvc/dvc.lock entry names (or is not a regular file); nothing of that output is imported.",
  },
  DVC_CACHE_MISSING: {
    family: 'store',
    summary:
      "An output's object is not in DVC's cache (.dvc/cache/files/md5/ or the 2.x .dvc/cache/ layout): run `dvc fetch` first.",
  },
  DVC_FILE_INVALID: {
    family: 'input',
    summary:
      'A .dvc file, dvc.yaml, dvc.lock or params.yaml is not YAML of the expected shape; data names the file and the field.',
  },
  DVC_NOT_A_PROJECT: {
    family: 'usage',
    summary: 'import-dvc found no DVC project here (no .dvc/ folder, .dvc file or dvc.yaml).',
  },
  EVAL_CLASS_TOO_SMALL: { family: 'input', summary: 'A class has fewer members than the number of folds.' },
  EVAL_TOO_FEW_ROWS: {
    family: 'input',
    summary: 'Too few rows to split into train and test sets or into k folds; data: {rows, …}.',
  },
  EXECUTOR_PROJECT_REQUIRED: {
    family: 'usage',
    summary: 'A Cairn executor ran without a project; run it as a target of an Nx project.',
  },
  EXPLAIN_INVALID_INPUT: {
    family: 'input',
    summary:
      'Data or a model output given to an explanation is unusable (ragged rows, non-finite numbers, wrong prediction count); data names the row or field.',
  },
  EXPLAIN_INVALID_TREE: {
    family: 'input',
    summary:
      'A tree given to TreeSHAP is malformed (missing child, feature index out of range, zero or negative cover).',
  },
  EXPLAIN_TOO_MANY_FEATURES: {
    family: 'usage',
    summary:
      'The explanation method cannot handle that many features (exact enumeration: 2^features subsets; KernelSHAP: at most 30); data: {features}.',
  },
  EXP_AMBIGUOUS_ID: {
    family: 'usage',
    summary: 'An experiment id prefix names more than one record.',
    hint: 'give more characters of the id',
  },
  EXP_ID_TAKEN: {
    family: 'internal',
    summary: 'A new experiment record drew an id whose ref already exists (the record was not replaced).',
  },
  EXP_NOT_FOUND: { family: 'usage', summary: 'No experiment record has the given id.' },
  EXP_RECORD_INVALID: {
    family: 'input',
    summary: 'An experiment record in git (possibly fetched from a remote) is malformed; the field is named.',
  },
  EXP_RECORD_UNREADABLE: {
    family: 'store',
    summary:
      'An experiment record cannot be read, so gc cannot know which artifacts it keeps; nothing was deleted.',
  },
  EXP_SORT_INVALID: {
    family: 'usage',
    summary: 'The --sort-by field or --limit of an experiment query is malformed.',
  },
  EXP_WHERE_INVALID: {
    family: 'usage',
    summary: 'The --where expression does not parse; the message names the character where it failed.',
  },
  GATE_FAILED: { family: 'check', summary: 'The compare gate failed: a metric broke its rule.' },
  GC_GIT_UNREADABLE: {
    family: 'store',
    summary: 'gc cannot read the git history it needs to know what is live.',
  },
  GC_MANIFEST_UNREADABLE: {
    family: 'store',
    summary: 'gc cannot read a directory manifest that a live pointer names.',
  },
  GIT_NOT_A_REPOSITORY: { family: 'store', summary: 'The folder is not inside a git working tree.' },
  GIT_NO_MERGE_BASE: {
    family: 'store',
    summary: 'The branches share no merge base (unrelated or shallow history).',
  },
  GIT_PATH_OUTSIDE_REPOSITORY: {
    family: 'usage',
    summary: 'A file asked for at a git ref lies outside the repository.',
  },
  GIT_PROGRAM_MISSING: {
    family: 'system',
    summary: 'The git program, needed to push or fetch refs through a remote, is not installed.',
  },
  GIT_RECORD_INVALID: {
    family: 'usage',
    summary: 'A ref name, remote or record subject given to the git record store is not one Cairn writes.',
  },
  GIT_REF_INVALID: {
    family: 'usage',
    summary: 'A ref name or object id Cairn was asked to write is not a plain ref or a full object id.',
  },
  GIT_REF_LOCKED: {
    family: 'system',
    summary: 'A ref stayed locked by another writer (a `.lock` file next to it) for too long.',
  },
  GIT_REF_NOT_FOUND: {
    family: 'usage',
    summary: 'A branch, tag or commit does not exist (or is not fetched: shallow clone).',
  },
  GIT_REMOTE_FAILED: { family: 'remote', summary: 'git push or fetch of the record refs failed.' },
  GIT_TREE_UNSAFE: {
    family: 'input',
    summary:
      'A commit holds a tree entry (`..`, `.git`, a slash) that git would never check out; nothing was written past it.',
  },
  GIT_UNSUPPORTED_REPOSITORY: {
    family: 'store',
    summary: 'The repository uses a format the record store cannot write (SHA-256 objects).',
  },
  GRAFANA_AUTH: { family: 'remote', summary: 'Grafana refused the token (401/403).' },
  GRAFANA_DASHBOARD_INVALID: {
    family: 'remote',
    summary: 'Grafana answered with a dashboard Cairn cannot use.',
  },
  GRAFANA_HTTP_ERROR: { family: 'remote', summary: 'Grafana answered an unexpected HTTP status.' },
  GRAFANA_NOT_CONFIGURED: {
    family: 'usage',
    summary: '--publish needs GRAFANA_URL and GRAFANA_TOKEN in the environment.',
  },
  GRAFANA_UNREACHABLE: { family: 'remote', summary: 'Grafana could not be reached.' },
  HASH_BACKEND_UNAVAILABLE: {
    family: 'system',
    summary: 'The native BLAKE3 backend cannot be loaded on this machine.',
  },
  HASH_BAD_ALGORITHM: { family: 'usage', summary: 'The hash algorithm named is not supported.' },
  HASH_BAD_MANIFEST: { family: 'input', summary: 'A directory manifest to hash is malformed.' },
  HASH_NOT_A_DIRECTORY: { family: 'input', summary: 'A path expected to be a directory is not one.' },
  HASH_PATH_IS_DIRECTORY: { family: 'input', summary: 'A path expected to be a file is a directory.' },
  HASH_PATH_NOT_UTF8: {
    family: 'input',
    summary: 'A file name is not valid UTF-8, so it cannot go into a manifest.',
  },
  HASH_SPECIAL_FILE: {
    family: 'input',
    summary: 'A path to hash is a socket or device; only regular files hash.',
  },
  HASH_SYMLINK_DANGLING: { family: 'input', summary: 'A symlink inside a hashed directory points nowhere.' },
  HASH_SYMLINK_OUTSIDE_TREE: {
    family: 'input',
    summary: 'A symlink inside a hashed directory points outside it.',
  },
  HASH_SYMLINK_TO_DIRECTORY: {
    family: 'input',
    summary: 'A symlink inside a hashed directory points to a directory.',
  },
  HASH_WORKER_FAILED: { family: 'system', summary: 'A hashing worker thread failed.' },
  INTERNAL_INVARIANT: {
    family: 'internal',
    summary: 'Cairn called one of its own helpers wrongly; a bug, whatever the input.',
  },
  LABEL_NOT_A_COLUMN: {
    family: 'usage',
    summary: 'The --label given to the dataset generator is not a column.',
  },
  LABEL_REQUIRED: {
    family: 'usage',
    summary: 'The model generator needs --label: the dataset declares no label column.',
  },
  LISTEN_ADDRESS_UNAVAILABLE: {
    family: 'system',
    summary: 'The address to listen on is not on this machine.',
  },
  LISTEN_HOST_UNKNOWN: { family: 'system', summary: 'The host name to listen on does not resolve.' },
  LISTEN_PERMISSION_DENIED: {
    family: 'system',
    summary: 'Listening on the port needs privileges (ports below 1024).',
  },
  LISTEN_PORT_IN_USE: { family: 'system', summary: 'Another process listens on the port.' },
  LOCK_TIMEOUT: { family: 'system', summary: 'Another cairn process holds the lock on the store.' },
  METRICS_CSV_INVALID: {
    family: 'input',
    summary: 'The metrics CSV is malformed or lacks required columns.',
  },
  METRICS_CURVE_INVALID: {
    family: 'input',
    summary: 'auc needs at least two points along an increasing or decreasing x.',
  },
  METRICS_EMPTY_INPUT: { family: 'input', summary: 'A metric got no samples.' },
  METRICS_INVALID_LABEL: {
    family: 'input',
    summary: 'A label given as an option (posLabel, labels) is not valid for the data.',
  },
  METRICS_INVALID_SCORE: {
    family: 'input',
    summary: 'Scores or probabilities are not finite, outside [0, 1], or do not sum to 1.',
  },
  METRICS_LENGTH_MISMATCH: {
    family: 'input',
    summary: 'Arrays that must have one entry per sample differ in length.',
  },
  METRICS_MIXED_LABEL_TYPES: { family: 'input', summary: 'Labels mix numbers and strings.' },
  METRICS_NOT_BINARY: {
    family: 'input',
    summary: 'A binary metric (or task binary) got more than two labels; data: {labels}.',
    hint: 'use the multiclass variant, or --task multiclass',
  },
  METRICS_SHAPE_MISMATCH: {
    family: 'input',
    summary: 'The probability matrix has a different number of columns than labels.',
  },
  METRICS_UNDEFINED: { family: 'input', summary: 'A metric that needs two classes got one.' },
  MODEL_ENTRY_FAILED: { family: 'input', summary: "Loading the model's entry module failed." },
  MODEL_ENTRY_INVALID: {
    family: 'input',
    summary: 'The model entry does not export a load(artifactDir) function.',
  },
  MODEL_ENTRY_NOT_FOUND: { family: 'input', summary: "The model's entry file does not exist." },
  MODEL_MANIFEST_INVALID: { family: 'input', summary: 'cairn-model.json violates the model contract.' },
  MODEL_MANIFEST_INVALID_JSON: { family: 'input', summary: 'cairn-model.json is not valid JSON.' },
  MODEL_MANIFEST_NOT_FOUND: { family: 'input', summary: 'The artifact folder has no cairn-model.json.' },
  MODEL_MANIFEST_UNREADABLE: { family: 'input', summary: 'cairn-model.json cannot be read.' },
  MODEL_PREDICTION_INVALID: {
    family: 'model',
    summary: 'predict did not return one {label, probabilities?} per input row.',
  },
  MODEL_PREDICT_FAILED: { family: 'model', summary: "The model's predict threw or reported an error." },
  MODEL_TESTS_FAILED: {
    family: 'model',
    summary: "The model's test command (model.json `test`) failed on synthetic data; nothing was trained.",
  },
  MODEL_TESTS_NOT_DECLARED: {
    family: 'input',
    summary: 'The model has no `test` section in model.json, so there is no test command to run.',
    hint: 'add "test": { "command": "npx vitest run" } (or a unittest/pytest command) to model.json; see docs/testing.md',
  },
  MONITOR_MODEL_INVALID: { family: 'input', summary: 'The model config given to monitor is not valid JSON.' },
  MONITOR_MODEL_NOT_FOUND: { family: 'input', summary: 'The model config given to monitor cannot be read.' },
  OPTIONS_CONFLICT: {
    family: 'usage',
    summary: 'Options that cannot be combined were given together; data: {options}.',
    hint: 'pass only one of them',
  },
  OPTION_INVALID: {
    family: 'usage',
    summary:
      'An option (a command-line flag or a library option) has an invalid value; data: {option, value}.',
  },
  OPTION_REQUIRED: { family: 'usage', summary: 'A required option is missing; data: {option}.' },
  PACKAGE_BASE_NOT_PINNED: {
    family: 'usage',
    summary: 'The base image of a model package is not pinned by digest (image@sha256:<digest>).',
  },
  PACKAGE_INPUT_INVALID: {
    family: 'usage',
    summary:
      'A model package cannot be built from what was given: a link in a layer, a root user, a non-empty output folder.',
  },
  PACKAGE_KEY_INVALID: {
    family: 'usage',
    summary: 'The signing or verifying key is missing, unreadable or not an ed25519 PEM key.',
  },
  PACKAGE_LAYOUT_INVALID: {
    family: 'input',
    summary:
      'An OCI image layout is unreadable, names no single manifest, or a blob does not match its digest.',
  },
  PACKAGE_SIGNATURE_INVALID: {
    family: 'check',
    summary: "The package's signature is not by the given key, or was made over another manifest.",
  },
  PATH_NOT_FOUND: {
    family: 'input',
    summary: 'A file or folder named on the command line, in a config or in a spec does not exist.',
  },
  PATH_UNREADABLE: {
    family: 'input',
    summary:
      'A file or folder exists but cannot be read: permission denied, a folder where a file was expected, an I/O error.',
  },
  PLUGIN_NOT_REGISTERED: {
    family: 'input',
    summary: 'The Cairn plugin could not be added to nx.json "plugins".',
  },
  POINTER_INVALID: { family: 'input', summary: 'A .cairn pointer file is malformed.' },
  POINTER_MISSING: { family: 'store', summary: 'A dataset declares data that has no pointer file.' },
  POINTER_NOT_FOUND: { family: 'store', summary: 'The pointer file for a path does not exist.' },
  PROJECT_NOT_FOUND: { family: 'usage', summary: 'No dataset or model project has the given name.' },
  REGISTRY_ALIAS_CONFLICT: {
    family: 'check',
    summary: 'The alias no longer points where the caller expected: another promotion moved it first.',
    hint: 'look at `cairn model history <model> --alias <alias>` and promote again if still wanted',
  },
  REGISTRY_ALIAS_NOT_FOUND: { family: 'usage', summary: 'The model has no such alias.' },
  REGISTRY_BUSY: {
    family: 'system',
    summary: 'The registry ref kept moving or stayed locked while Cairn tried to update it.',
    hint: 'retry; a stale `<gitdir>/refs/cairn/registry.lock` left by a killed process can be deleted',
  },
  REGISTRY_CORRUPT: {
    family: 'store',
    summary: 'A registry record stored in git (version, alias history, audit line) is not valid.',
  },
  REGISTRY_MODEL_NOT_FOUND: { family: 'usage', summary: 'No version of that model is registered.' },
  REGISTRY_NAME_INVALID: {
    family: 'usage',
    summary: 'A model, alias or `model@version` / `model#alias` reference is malformed.',
    hint: 'names are lowercase letters, digits, ".", "_" and "-", starting with a letter or digit',
  },
  REGISTRY_NO_PREVIOUS: {
    family: 'usage',
    summary: 'Rollback found no earlier holder of the alias to return to.',
  },
  REGISTRY_NO_RUN: {
    family: 'usage',
    summary: 'The model has no train run record for its current artifact, so there is nothing to register.',
  },
  REGISTRY_VERSION_NOT_FOUND: { family: 'usage', summary: 'The model has no such version.' },
  REMOTE_BAD_OBJECT_ID: {
    family: 'input',
    summary: 'An object id sent to or listed by a remote is not a store object id.',
  },
  REMOTE_EXISTS: { family: 'usage', summary: 'A remote with that name already exists.' },
  REMOTE_FORBIDDEN: {
    family: 'remote',
    summary: 'The remote refused the credentials for this operation (403).',
  },
  REMOTE_NAME_INVALID: {
    family: 'usage',
    summary: 'A remote name has characters that are not allowed.',
    hint: 'start with a letter or digit; then letters, digits, ".", "_" or "-"',
  },
  REMOTE_NOT_CONFIGURED: { family: 'usage', summary: 'No remote is configured and none was named.' },
  REMOTE_OBJECT_CORRUPT: {
    family: 'remote',
    summary: 'An object downloaded from the remote does not match its hash.',
  },
  REMOTE_OBJECT_MISSING: { family: 'remote', summary: 'The remote does not have an object.' },
  REMOTE_REJECTED: { family: 'remote', summary: 'The remote rejected a request (4xx).' },
  REMOTE_SERVER_ERROR: { family: 'remote', summary: 'The remote failed with a server error (5xx).' },
  REMOTE_TRANSFER_FAILED: {
    family: 'remote',
    summary: 'Some objects could not be transferred after retries.',
  },
  REMOTE_UNAUTHORIZED: { family: 'remote', summary: 'The remote needs credentials (401).' },
  REMOTE_UNKNOWN: { family: 'usage', summary: 'No remote has the given name.' },
  REMOTE_UNREACHABLE: { family: 'remote', summary: 'The remote could not be reached over the network.' },
  REMOTE_URL_INVALID: { family: 'input', summary: 'A remote URL is malformed or of an unsupported scheme.' },
  REPRODUCE_DIFFERS: {
    family: 'check',
    summary:
      '`cairn reproduce`: the re-run finished but its artifact hash or a training metric differs from the record; data: {run, project, differences}.',
  },
  REPRODUCE_FAILED: {
    family: 'check',
    exitCode: 3,
    summary:
      '`cairn reproduce` could not re-run the recorded training (no commit, history or data missing, the command failed); nothing was compared.',
  },
  RUN_RECORD_NOT_FOUND: {
    family: 'input',
    exitCode: 3,
    summary:
      'No recorded run matches the run id or project given to `cairn reproduce`, so it could not run; data: {target, known}.',
  },
  S3_BUCKET_UNAVAILABLE: { family: 'remote', summary: 'The S3 bucket of the cache server cannot be used.' },
  SERVE_ALIAS_UNSET: {
    family: 'input',
    summary: 'Serving by registry alias, but no version holds the alias.',
  },
  SERVE_ARTIFACT_UNVERIFIED: {
    family: 'store',
    summary:
      'A model artifact does not match the content hash its pointer or the registry records (or holds a link), so it is not loaded.',
  },
  SERVE_EXPLAIN_UNAVAILABLE: {
    family: 'input',
    summary:
      'HTTP 501 from `cairn serve` /explain: the server was started without training data to explain against.',
  },
  SERVE_FEEDBACK_INVALID: {
    family: 'input',
    summary: 'A POST /feedback body is not {"request_id", "label", "row"?} or an array of them.',
  },
  SERVE_FEEDBACK_UNKNOWN: {
    family: 'input',
    summary: 'Feedback names a request id (or row) the server does not remember (HTTP 404).',
  },
  SERVE_INTERNAL: {
    family: 'internal',
    summary: 'HTTP 500 from `cairn serve`: an unexpected failure while answering a request.',
  },
  SERVE_INVALID_JSON: { family: 'input', summary: 'A prediction request body is not valid JSON.' },
  SERVE_INVALID_REQUEST: { family: 'input', summary: 'A prediction request is not {"rows": [...]}.' },
  SERVE_INVALID_ROW: {
    family: 'input',
    summary: 'A request row lacks a model feature or has a value of the wrong type.',
  },
  SERVE_JSON_TOO_DEEP: { family: 'input', summary: 'A request body nests deeper than the server accepts.' },
  SERVE_LISTEN_FAILED: { family: 'system', summary: '`cairn serve` cannot listen on the host and port.' },
  SERVE_METHOD: { family: 'input', summary: 'HTTP 405 from `cairn serve`: the route needs another method.' },
  SERVE_METRICS: {
    family: 'internal',
    summary: 'HTTP 500 from `cairn serve`: /metrics could not be rendered.',
  },
  SERVE_MODEL_CLOSED: { family: 'system', summary: 'The model was closed while a prediction was in flight.' },
  SERVE_NOT_FOUND: { family: 'input', summary: 'HTTP 404 from `cairn serve`: no such route.' },
  SERVE_PYTHON_NOT_FOUND: { family: 'system', summary: 'A Python model needs python3, which was not found.' },
  SERVE_REFERENCE_INVALID: {
    family: 'input',
    summary: 'The reference data for serving monitoring lacks a model feature column.',
  },
  SERVE_REQUEST_TOO_LARGE: {
    family: 'input',
    summary: 'A request body is larger than the server accepts (HTTP 413).',
  },
  SERVE_TRAFFIC_INVALID: {
    family: 'usage',
    summary: 'A traffic policy (canary weight, A/B key, shadow) of `cairn serve` is malformed.',
  },
  SERVE_WORKER_CRASHED: {
    family: 'model',
    summary: 'The Python model worker exited while requests were in flight.',
  },
  SOURCE_NOT_FOUND: {
    family: 'usage',
    summary: 'The --source given to the dataset generator does not exist.',
  },
  STORAGE_PATH_EMPTY: { family: 'usage', summary: 'The cache server storage path is empty.' },
  STORAGE_PATH_NOT_FOLDER: {
    family: 'system',
    summary: 'The cache server storage path, or one of its parents, is not a folder.',
  },
  STORAGE_PATH_UNUSABLE: {
    family: 'system',
    summary: 'The cache server storage folder cannot be created or written.',
  },
  STORE_BAD_OBJECT_ID: { family: 'input', summary: 'A string is not a valid store object id.' },
  STORE_MANIFEST_INVALID: {
    family: 'input',
    summary: 'A .dir manifest has duplicate paths, a file that is also a folder, or an unsafe entry path.',
  },
  STORE_NOT_TRACKED: { family: 'store', summary: 'The path is not tracked by Cairn (it has no pointer).' },
  STORE_NO_WORKSPACE: {
    family: 'usage',
    summary: 'No Cairn workspace (.cairn/) was found above the current folder.',
  },
  STORE_OBJECT_CORRUPT: {
    family: 'store',
    summary: 'A stored object does not match its hash; it was quarantined.',
  },
  STORE_OBJECT_MISSING: { family: 'store', summary: 'An object a pointer needs is not in the local store.' },
  STORE_PATH_INVALID: {
    family: 'input',
    summary: 'A path from a pointer, manifest or config is not a plain relative path.',
  },
  STORE_PATH_OUTSIDE_WORKSPACE: { family: 'input', summary: 'A path resolves outside the workspace.' },
  STORE_PATH_RESERVED: {
    family: 'input',
    summary: 'A path lies in .git/ or .cairn/, which Cairn never writes.',
  },
  STORE_PATH_UNSAFE_PARENT: {
    family: 'input',
    summary: 'A parent folder of the target is a symlink or a file.',
  },
  STORE_PATH_UNSUPPORTED: {
    family: 'input',
    summary: 'A path is of a kind the store cannot track (socket, device, …).',
  },
  STORE_SOURCE_CHANGED: { family: 'store', summary: 'A file changed while it was being added.' },
  STORE_WORKER_FAILED: {
    family: 'system',
    summary: 'A store worker thread exited before finishing its jobs.',
  },
  SYNTH_UNSATISFIABLE: {
    family: 'input',
    summary:
      '`cairn synth` cannot make data meeting a dataset spec field (range, uniqueness, key, balance, row schema) for the rows asked; data: {pointer}.',
  },
  TABLE_CSV_INVALID: {
    family: 'input',
    summary: 'CSV syntax: an unterminated quoted field, or a record longer than the limit.',
  },
  TABLE_EMPTY: { family: 'input', summary: 'A table has no header row, or no rows where some are required.' },
  TABLE_FORMAT_UNKNOWN: {
    family: 'input',
    summary: 'The extension or declared format is not one of csv, tsv, txt, json, jsonl, ndjson.',
  },
  TABLE_HEADER_INVALID: { family: 'input', summary: 'A CSV header name is empty or appears twice.' },
  TABLE_JSON_INVALID: {
    family: 'input',
    summary: 'JSON or JSON Lines syntax, or a row that is not a JSON object.',
  },
  TABLE_ROW_WIDTH: { family: 'input', summary: 'A CSV record has more or fewer fields than the header.' },
  TEMPLATE_NOT_FOUND: { family: 'usage', summary: 'The model template named is not installed.' },
  TLS_FILE_INVALID: { family: 'input', summary: 'A TLS certificate or key file is not valid PEM.' },
  TLS_FILE_UNREADABLE: { family: 'input', summary: 'A TLS certificate or key file cannot be read.' },
  TLS_FLAGS_INCOMPLETE: {
    family: 'usage',
    summary: 'TLS needs both --cert and --key.',
    hint: 'pass both PEM files, or neither for plain HTTP',
  },
  TLS_KEY_MISMATCH: { family: 'input', summary: 'The TLS key does not belong to the certificate.' },
  TOKENS_FILE_EMPTY: { family: 'input', summary: 'The cache server tokens file holds no token.' },
  TOKENS_FILE_INVALID: { family: 'input', summary: 'The cache server tokens file is malformed.' },
  TOKENS_FILE_UNREADABLE: { family: 'input', summary: 'The cache server tokens file cannot be read.' },
  TOKEN_TOO_SHORT: { family: 'input', summary: 'A cache server token is shorter than the minimum length.' },
  TRAIN_COMMAND_FAILED: {
    family: 'model',
    summary: 'The training command exited non-zero or was killed; nothing was stored or cached.',
  },
  TUNE_NOT_CONFIGURED: {
    family: 'usage',
    summary: 'The project asked to tune is not an experiment with a tune block.',
  },
  TUNE_SPACE_INVALID: {
    family: 'input',
    summary: "An experiment's tune block (space, method, budget) is inconsistent; the field is named.",
  },
  VALIDATION_FAILED: { family: 'check', summary: 'Dataset validation found errors.' },
  WRITE_PARENT_NOT_FOLDER: {
    family: 'system',
    summary: 'A parent of the output path is a file, so its folder cannot be created.',
  },
  WRITE_TARGET_IS_FOLDER: { family: 'usage', summary: 'The output path is a folder, not a file.' },
  WRITE_TARGET_UNWRITABLE: {
    family: 'system',
    summary: "The output path's folder cannot be created or written.",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof CODES;

/** The codes of one family, e.g. `CodeOf<'store'>`. */
export type CodeOf<F extends ErrorFamily> = {
  [C in ErrorCode]: (typeof CODES)[C]['family'] extends F ? C : never;
}[ErrorCode];

export function familyOf(code: ErrorCode): ErrorFamily {
  return CODES[code].family;
}

/** The status a command exits with for `code`: the code's own, else its family's. */
export function exitCodeOf(code: ErrorCode): number {
  const info: ErrorCodeInfo = CODES[code];
  return info.exitCode ?? FAMILIES[info.family].exitCode;
}
