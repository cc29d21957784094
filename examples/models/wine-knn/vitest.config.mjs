// This model's own vitest config: vitest looks for a config upwards from here, and a workspace
// config above (with its own projects) must not decide how the model's tests run.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['*.spec.mjs'] } });
