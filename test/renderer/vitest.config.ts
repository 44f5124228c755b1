import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { fileURLToPath } from 'node:url';

// Component tests of the renderer: Svelte components in jsdom, talking to a fake of the IPC contract.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [svelte(), svelteTesting()],
  test: {
    environment: 'jsdom',
    include: ['test/renderer/**/*.spec.ts'],
    setupFiles: ['test/renderer/setup.ts'],
    // A 2,000-row list renders in well under a second on a quiet machine; 2 loaded cores need more than the 5 s default.
    testTimeout: 30_000,
  },
});
