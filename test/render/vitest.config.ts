// Render tests: the built dashboard bundle in headless Chromium. Separate from the unit suite
// (they need /usr/bin/chromium and take seconds): `npx vitest run --config test/render/vitest.config.ts`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/render/**/*.render.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
