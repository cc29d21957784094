export interface EvaluateExecutorSchema {
  project?: string;
  cv?: number;
}
