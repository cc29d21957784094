export interface ModelGeneratorSchema {
  name: string;
  dataset: string;
  template?: 'ts' | 'python';
  algorithm?: 'random-forest' | 'logistic-regression' | 'knn';
  label?: string;
  task?: 'binary' | 'multiclass' | 'regression';
  directory?: string;
  skipFormat?: boolean;
}
