import { packageProject } from '../../vitest.shared';

export default packageProject(__dirname);
