// Unit tests of the UI's TypeScript modules (pure logic: errors, theme, formatting).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
