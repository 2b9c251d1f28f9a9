import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@tg/source", "module", "node", "development|production"] } },
  test: { name: "char-gpt", include: ["src/**/*.test.ts"] },
});
