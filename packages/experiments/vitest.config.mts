import { packageProject } from '../../vitest.shared.mts';

export default packageProject(import.meta.dirname);
