import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // Reports show local time: the suite runs in one zone, whatever the machine's (tests that need another set TZ themselves).
    env: { TZ: "UTC" },
  },
});
