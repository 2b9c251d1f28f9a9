import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: false, // declarations and their maps come from tsc (tsconfig.build.json)
  sourcemap: true,
  clean: true,
  target: "es2022",
});
