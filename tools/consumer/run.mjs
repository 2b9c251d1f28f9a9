// The consumer test: the published packages as a stranger gets them from npm. It packs every
// package under packages/* (the build runs in prepack: each dist/ is removed first), installs the
// tarballs with npm into an empty folder outside the workspace, and there runs the README examples
// through import and through require(), type-checks them under `nodenext` and `bundler`, trains a
// small model through import and require(), and runs an esbuild bundle in Chromium on an ordinary
// and on a cross-origin isolated page. Everything runs on the Node that runs this script.
//
//   node tools/consumer/run.mjs [--packs DIR] [--results FILE] [--keep]
//
// --packs DIR reuses the tarballs in DIR when all are there (packing into DIR otherwise), so CI
// packs once for several Node lines. --results FILE writes { passed, failed, skipped } as JSON.
// The last line is "consumer on Node vX: N passed, N failed, N skipped"; exit status 1 on a failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browserChecks } from "./browser.mjs";
import { readmeBlocks, toCommonJs } from "./readme.mjs";
import { exportSpecifiers, packAll, publicPackages, ROOT } from "../workspace.mjs";

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const node = process.execPath;
const FIXTURES = join(ROOT, "tools", "consumer", "fixtures");
const counts = { passed: 0, failed: 0, skipped: 0 };

/** Records one check: `fn` returns nothing (pass), a string starting "skip: " (skip), or throws (fail). */
async function check(name, fn) {
  try {
    const outcome = await fn();
    if (typeof outcome === "string" && outcome.startsWith("skip: ")) {
      counts.skipped++;
      console.log(`skip  ${name} (${outcome.slice(6)})`);
    } else {
      counts.passed++;
      console.log(`ok    ${name}`);
    }
  } catch (error) {
    counts.failed++;
    console.log(`FAIL  ${name}\n      ${String(error?.message ?? error).replaceAll("\n", "\n      ")}`);
  }
}

/** Runs a command in `cwd`; throws with its output unless it exits 0. Returns stdout. */
function exec(command, commandArgs, cwd, { timeout = 300_000, env } = {}) {
  const result = spawnSync(command, commandArgs, { cwd, encoding: "utf8", timeout, env: env ?? process.env, maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
    throw new Error(`${command} ${commandArgs.join(" ")}: ${why}\n${(result.stdout + result.stderr).trim().slice(-4000)}`);
  }
  return result.stdout;
}

const assert = (condition, message) => {
  if (!condition) throw new Error(message);
};

const packages = publicPackages();
console.log(`consumer test on Node ${process.version}: ${packages.map((pkg) => pkg.name).join(", ")}`);

// 1. Pack, building in prepack.
const packDir = option("--packs") ?? mkdtempSync(join(tmpdir(), "tg-packs-"));
mkdirSync(packDir, { recursive: true });
const tarballName = (pkg) => `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.manifest.version}.tgz`;
let tarballs = new Map(packages.map((pkg) => [pkg.name, join(packDir, tarballName(pkg))]));
await check("pack every package with no prior build (prepack builds)", () => {
  if ([...tarballs.values()].every((file) => existsSync(file))) return "skip: reusing the tarballs in " + packDir;
  for (const pkg of packages) rmSync(join(pkg.dir, "dist"), { recursive: true, force: true });
  tarballs = packAll(packDir);
});

// 2. What each tarball holds.
for (const pkg of packages) {
  await check(`${pkg.name}: tarball holds dist (ESM + .d.ts), README, LICENSE, every export target, no test file`, () => {
    const files = exec("tar", ["tzf", tarballs.get(pkg.name)], ROOT)
      .split("\n")
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, ""));
    const has = new Set(files);
    for (const needed of ["package.json", "README.md", "LICENSE"]) assert(has.has(needed), `missing ${needed}`);
    assert(files.some((file) => /^dist\/.*\.js$/.test(file)), "no dist/*.js");
    assert(files.some((file) => /^dist\/.*\.d\.ts$/.test(file)), "no dist/*.d.ts");
    const targets = (value) => (typeof value === "string" ? [value] : Object.values(value ?? {}).flatMap(targets));
    for (const target of targets(pkg.manifest.exports)) assert(has.has(target.replace(/^\.\//, "")), `exports target ${target} is not in the tarball`);
    const tests = files.filter((file) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(file) || /(^|\/)__tests__\//.test(file));
    assert(tests.length === 0, `test files: ${tests.join(", ")}`);
  });
}

// 3. Install into an empty folder outside the workspace, with the tools a consumer would use.
const consumer = mkdtempSync(join(tmpdir(), "tg-consumer-"));
const version = (name, from = ROOT) => JSON.parse(readFileSync(createRequire(join(from, "package.json")).resolve(`${name}/package.json`), "utf8")).version;
const tools = [
  `typescript@${version("typescript")}`,
  `@types/node@${version("@types/node")}`,
  `esbuild@${version("esbuild", join(ROOT, "packages", "tensor"))}`,
  `playwright-core@${version("playwright-core", join(ROOT, "packages", "tensor"))}`,
];
writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "tg-consumer", private: true, type: "module" }, null, 2));
let installed = false;
await check(`npm install the ${packages.length} tarballs into ${consumer}`, () => {
  exec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.values(), ...tools], consumer);
  installed = true;
});
if (!installed) finish();
const consumerRequire = createRequire(join(consumer, "package.json"));
const esbuild = consumerRequire("esbuild");

// 4. Every export through import() and require(): the same module.
for (const specifier of packages.flatMap(exportSpecifiers)) {
  await check(`${specifier}: require() and import() give the same exports`, () => {
    const script = `
      const required = require(${JSON.stringify(specifier)});
      import(${JSON.stringify(specifier)}).then((imported) => {
        const a = Object.keys(required).sort(), b = Object.keys(imported).sort();
        if (a.length === 0 || JSON.stringify(a) !== JSON.stringify(b)) throw new Error("exports differ: " + a + " vs " + b);
        for (const key of a) if (required[key] !== imported[key]) throw new Error(key + " differs");
      });`;
    writeFileSync(join(consumer, "exports.cjs"), script);
    exec(node, ["exports.cjs"], consumer);
  });
}

// 5. The README examples, as ESM and through require(); the same output both ways.
const hasDataset = existsSync(process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist");
const readmeFiles = [];
const readmeChecks = [];
for (const pkg of packages) {
  readmeBlocks(readFileSync(join(pkg.dir, "README.md"), "utf8")).forEach((code, index) => {
    const base = `readme-${pkg.name.replace(/^@/, "").replace("/", "-")}-${index + 1}`;
    readmeFiles.push(`${base}.ts`);
    writeFileSync(join(consumer, `${base}.ts`), code);
    const label = `${pkg.name} README example ${index + 1}`;
    const needsDownload = code.includes("loadFashionMNIST") && !hasDataset;
    let esmOutput;
    const pending = [
      [`${label} as ESM`, () => {
        if (needsDownload) return "skip: no Fashion-MNIST on this machine";
        const js = esbuild.transformSync(code, { loader: "ts", format: "esm", target: "es2022" }).code;
        writeFileSync(join(consumer, `${base}.mjs`), js);
        esmOutput = exec(node, [`${base}.mjs`], consumer);
      }],
      [`${label} through require()`, () => {
        if (needsDownload) return "skip: no Fashion-MNIST on this machine";
        const js = esbuild.transformSync(toCommonJs(code), { loader: "ts", format: "cjs", target: "es2022" }).code;
        writeFileSync(join(consumer, `${base}.cjs`), js);
        const output = exec(node, [`${base}.cjs`], consumer);
        assert(esmOutput === undefined || output === esmOutput, `output differs from the ESM run:\n${output}\nvs\n${esmOutput}`);
      }],
    ];
    readmeChecks.push(...pending);
  });
}
// (collected first so that the README files exist for the type-check below)
for (const [name, fn] of readmeChecks) await check(name, fn);

// 6. A small training run through import and through require(): identical losses, and it learns.
const trainSources = ["train.ts", "accuracy.ts", "node-main.ts", "browser-main.ts"];
for (const file of trainSources) writeFileSync(join(consumer, file), readFileSync(join(FIXTURES, file), "utf8"));
const trainRuns = {};
for (const format of ["esm", "cjs"]) {
  await check(`train an MLP with every package (${format === "esm" ? "import" : "require()"})`, async () => {
    const outfile = `train.${format === "esm" ? "mjs" : "cjs"}`;
    await esbuild.build({ entryPoints: [join(consumer, "node-main.ts")], bundle: true, packages: "external", platform: "node", format, outfile: join(consumer, outfile), logLevel: "error" });
    const result = JSON.parse(exec(node, [outfile], consumer));
    const losses = result.epochLosses;
    assert(losses.length === 8 && losses.every(Number.isFinite), `losses: ${losses}`);
    assert(losses.at(-1) < 0.2 * losses[0] && result.accuracy >= 0.9, `did not learn: ${JSON.stringify(result)}`);
    trainRuns[format] = result;
    if (format === "cjs" && trainRuns.esm) assert(JSON.stringify(trainRuns.esm) === JSON.stringify(result), "require() trained to other bits than import");
  });
}

// 7. TypeScript consumers.
const exportsFile = packages
  .flatMap(exportSpecifiers)
  .map((specifier, i) => `import * as m${i} from ${JSON.stringify(specifier)};\nconsole.log(Object.keys(m${i}).length);`)
  .join("\n");
writeFileSync(join(consumer, "exports.ts"), `${exportsFile}\n`);
writeFileSync(
  join(consumer, "require.cts"),
  packages
    .flatMap(exportSpecifiers)
    .map((specifier, i) => `import m${i} = require(${JSON.stringify(specifier)});\nconsole.log(Object.keys(m${i}).length);`)
    .join("\n") + "\n",
);
const tsFiles = ["exports.ts", ...readmeFiles, ...trainSources];
const configs = {
  nodenext: { module: "nodenext", moduleResolution: "nodenext", files: [...tsFiles, "require.cts"] },
  bundler: { module: "esnext", moduleResolution: "bundler", files: tsFiles },
};
for (const [name, { files, ...compilerOptions }] of Object.entries(configs)) {
  await check(`tsc --noEmit under moduleResolution ${name} (README examples, every export${name === "nodenext" ? ", require()" : ""})`, () => {
    const tsconfig = { compilerOptions: { target: "es2022", lib: ["es2022", "dom"], strict: true, noEmit: true, skipLibCheck: false, types: ["node"], ...compilerOptions }, files };
    writeFileSync(join(consumer, `tsconfig.${name}.json`), JSON.stringify(tsconfig, null, 2));
    exec(node, [consumerRequire.resolve("typescript/bin/tsc"), "-p", `tsconfig.${name}.json`], consumer);
  });
}

// 8. The browser: an esbuild bundle in Chromium, on an ordinary and a cross-origin isolated page.
for (const [name, fn] of browserChecks({ consumer, esbuild, playwright: consumerRequire("playwright-core") })) await check(name, fn);

finish();

function finish() {
  if (!args.includes("--keep")) rmSync(consumer, { recursive: true, force: true });
  else console.log(`kept ${consumer}`);
  const resultsFile = option("--results");
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(counts));
  console.log(`consumer on Node ${process.version}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exit(counts.failed === 0 ? 0 : 1);
}
