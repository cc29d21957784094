export interface DatasetGeneratorSchema {
  name: string;
  source: string;
  directory?: string;
  label?: string;
  skipFormat?: boolean;
}
