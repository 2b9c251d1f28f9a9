// `pnpm release`: build, pack, check every published package with publint and
// arethetypeswrong, then `changeset publish`. `pnpm release --dry-run` does everything but publish.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packAll, publicPackages, ROOT, run } from "./workspace.mjs";

const dryRun = process.argv.includes("--dry-run");
const bin = (name) => join(ROOT, "node_modules", ".bin", name);
const step = (title) => console.log(`\n== release: ${title}`);

step("build");
if (run("pnpm", ["build"], { cwd: ROOT }) !== 0) fail("the build failed");

step("pack");
const packDir = mkdtempSync(join(tmpdir(), "tg-release-"));
// the build above made dist/; packing without the prepack build checks exactly that output
const tarballs = packAll(packDir, { ignoreScripts: true });
for (const [name, file] of tarballs) console.log(`${name}: ${file}`);

const problems = [];
step("publint (suggestions count as problems)");
for (const [name, file] of tarballs) {
  const result = spawnSync(bin("publint"), ["run", file, "--strict", "--level", "suggestion"], { encoding: "utf8" });
  const output = `${result.stdout}${result.stderr}`.trim();
  console.log(`${name}: ${output}`);
  if (result.status !== 0 || !/All good/.test(output)) problems.push(`publint: ${name}`);
}

step("arethetypeswrong (ESM only: require() of these packages needs Node's require(esm))");
for (const [name, file] of tarballs) {
  const args = [file, "--profile", "esm-only"];
  const quiet = spawnSync(bin("attw"), [...args, "--quiet"], { encoding: "utf8" });
  if (quiet.status === 0) {
    console.log(`${name}: no problems`);
  } else {
    run(bin("attw"), [...args, "--format", "table-flipped"]); // shows what is wrong
    problems.push(`attw: ${name}`);
  }
}

rmSync(packDir, { recursive: true, force: true });
if (problems.length > 0) fail(`not publishing: ${problems.join(", ")}`);

step("changeset publish");
if (dryRun) {
  console.log(`dry run: would publish ${publicPackages().map((pkg) => `${pkg.name}@${pkg.manifest.version}`).join(", ")}`);
} else if (run("pnpm", ["exec", "changeset", "publish"], { cwd: ROOT }) !== 0) {
  fail("changeset publish failed");
}

/** Prints one line and exits with status 1. */
function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}
