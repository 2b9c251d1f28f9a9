// The workspace's published packages, found the same way by the release script, the consumer
// test and the release-plan test: every packages/*/package.json that is not private.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * The published packages, sorted by folder.
 * @returns {{ name: string, dir: string, folder: string, manifest: Record<string, any> }[]}
 */
export function publicPackages() {
  const packagesDir = join(ROOT, "packages");
  return readdirSync(packagesDir)
    .sort()
    .map((folder) => ({ folder: `packages/${folder}`, dir: join(packagesDir, folder) }))
    .filter(({ dir }) => existsSync(join(dir, "package.json")))
    .map(({ folder, dir }) => {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      return { name: manifest.name, dir, folder, manifest };
    })
    .filter(({ manifest }) => manifest.private !== true);
}

/**
 * The import specifiers a package offers: "@tg/x" for ".", "@tg/x/y" for "./y"; not package.json.
 * @param {{ name: string, manifest: Record<string, any> }} pkg
 * @returns {string[]}
 */
export function exportSpecifiers(pkg) {
  const exportsField = pkg.manifest.exports ?? {};
  return Object.keys(exportsField)
    .filter((key) => key.startsWith(".") && !key.endsWith(".json") && !key.includes("*"))
    .map((key) => (key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`));
}

/**
 * Runs a command, streaming its output; returns its exit status (1 when it could not start).
 * @param {string} command
 * @param {string[]} args
 * @param {import("node:child_process").SpawnSyncOptions} [options]
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) console.error(`${command}: ${result.error.message}`);
  return result.status ?? 1;
}

/**
 * Packs every published package into `destination` with `pnpm pack` (which runs each package's
 * prepack, the build, unless `ignoreScripts`). Returns the tarball paths by package name.
 * @param {string} destination
 * @param {{ ignoreScripts?: boolean }} [options]
 * @returns {Map<string, string>}
 */
export function packAll(destination, { ignoreScripts = false } = {}) {
  mkdirSync(destination, { recursive: true });
  const tarballs = new Map();
  for (const pkg of publicPackages()) {
    const args = ["pack", "--pack-destination", destination];
    if (ignoreScripts) args.push("--config.ignore-scripts=true");
    const result = spawnSync("pnpm", args, { cwd: pkg.dir, encoding: "utf8" });
    if (result.status !== 0) {
      throw new Error(`pnpm pack failed in ${pkg.folder}:\n${result.stdout}\n${result.stderr}`);
    }
    const file = `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.manifest.version}.tgz`;
    const path = join(destination, file);
    if (!existsSync(path)) throw new Error(`pnpm pack in ${pkg.folder} did not write ${file}`);
    tarballs.set(pkg.name, path);
  }
  return tarballs;
}
