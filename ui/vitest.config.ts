// Unit tests of the UI's TypeScript modules (pure logic: errors, theme, formatting, masking). The
// Svelte plugin compiles `.svelte.ts` modules, whose runes ($state) hold app-wide switches.
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // Component tests mount the client build of Svelte (a DOM from happy-dom), not the server one.
  resolve: { conditions: ['browser'] },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
