import { packageProject } from '../../vitest.shared.mts';

// Each test drives the real Nx CLI on a fresh git repository: slow, so long timeouts.
export default packageProject(import.meta.dirname, { testTimeout: 240_000 });
