export interface CiGeneratorSchema {
  provider: 'github' | 'gitlab' | 'jenkins';
  mainBranch?: string;
  targets?: string[];
  remote?: string;
  nodeVersion?: string;
  promote?: boolean;
}
