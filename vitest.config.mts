import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.mts', 'plugins/*/vitest.config.mts', 'tools/*/vitest.config.mts'],
    // The plugin's copies of templates/ and the schemas are refreshed first, so no test sees a stale copy.
    globalSetup: ['./vitest.global-setup.mts'],
    reporters: ['default', './vitest.summary-reporter.mts'],
  },
});
