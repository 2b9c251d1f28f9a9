import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@tg/source", "module", "node", "development|production"] } },
  test: { name: "docs", include: ["src/**/*.test.ts"], testTimeout: 600_000, hookTimeout: 900_000 },
});
