export interface EvaluateExecutorSchema {
  project?: string;
  toolkitVersion?: string;
  cv?: number;
}
