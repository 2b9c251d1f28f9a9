import { defineConfig } from "tsup";

// The `gpt` bin: dist/cli.js, which imports the built @tg/* packages.
export default defineConfig({
  entry: ["src/cli.ts"],
  format: ["esm"],
  target: "node20",
  sourcemap: true,
  clean: true,
});
