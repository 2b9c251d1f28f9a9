// Lint rules for the packages: typed code without `any`, and no console, process or Math.random
// in library code (randomness goes through @tg/tensor's Rng, output through return values).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/runs/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["packages/*/src/**/*.ts"],
    ignores: ["packages/*/src/**/*.test.ts", "packages/bench/**", "packages/data/src/fashion-mnist.ts", "packages/data/src/node.ts"],
    rules: {
      "no-console": "error",
      "no-restricted-globals": ["error", { name: "process", message: "Library code takes options instead of reading the environment." }],
      "no-restricted-properties": ["error", { object: "Math", property: "random", message: "Use an Rng (seedable) instead." }],
    },
  },
);
