import { defineConfig } from 'vitest/config';

// Integration tests start their own embedded engines (dynalite, SES local) on free ports,
// so files can run in parallel; CDK synthesis is slow, hence the generous timeouts.
export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
