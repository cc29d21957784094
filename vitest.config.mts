import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.mts', 'plugins/*/vitest.config.mts', 'tools/*/vitest.config.mts'],
    reporters: ['default', './vitest.summary-reporter.mts'],
  },
});
