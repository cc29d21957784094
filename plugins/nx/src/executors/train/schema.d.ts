export interface TrainExecutorSchema {
  project?: string;
  toolkitVersion?: string;
}
