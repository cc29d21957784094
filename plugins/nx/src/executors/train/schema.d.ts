export interface TrainExecutorSchema {
  project?: string;
}
