// The release policy, checked on the repository as it is: changesets must never plan a 1.0.0
// by accident, and every published package carries what a registry user needs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publicPackages, ROOT } from "./workspace.mjs";

interface ReleasePlan {
  releases: { name: string; type: string; oldVersion: string; newVersion: string }[];
}

const packages = publicPackages();
const names = new Set(packages.map((pkg) => pkg.name));

describe("release plan", () => {
  it("finds the published packages", () => {
    expect(packages.map((pkg) => pkg.name)).toContain("@tg/tensor");
  });

  it("plans no version 1.0.0 or higher (changeset status --output)", () => {
    const dir = mkdtempSync(join(tmpdir(), "tg-plan-"));
    try {
      const output = join(dir, "plan.json");
      const result = spawnSync(join(ROOT, "node_modules", ".bin", "changeset"), ["status", "--output", output], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      const plan = JSON.parse(readFileSync(output, "utf8")) as ReleasePlan;
      const majors = plan.releases
        .filter((release) => names.has(release.name) && Number(release.newVersion.split(".")[0]) >= 1)
        .map((release) => `${release.name} ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
      expect(majors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("bumps a dependent only when @tg/tensor leaves its peer range, and the range spans 0.x", () => {
    const config = JSON.parse(readFileSync(join(ROOT, ".changeset", "config.json"), "utf8"));
    expect(config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH?.onlyUpdatePeerDependentsWhenOutOfRange).toBe(true);
    for (const pkg of packages) {
      for (const [dependency, range] of Object.entries<string>(pkg.manifest.peerDependencies ?? {})) {
        if (!names.has(dependency)) continue;
        expect(range, `${pkg.name} peer ${dependency}`).toMatch(/^workspace:>=0\.\d+\.\d+ <1\.0\.0$/);
      }
    }
  });
});

describe("published package metadata", () => {
  const license = readFileSync(join(ROOT, "LICENSE"), "utf8");

  it.each(packages.map((pkg) => [pkg.name, pkg] as const))("%s", (_name, pkg) => {
    const manifest = pkg.manifest;
    expect(manifest.license).toBe("MIT");
    expect(readFileSync(join(pkg.dir, "LICENSE"), "utf8")).toBe(license);
    expect(manifest.author).toBeTruthy();
    expect(manifest.repository).toMatchObject({ type: "git", directory: pkg.folder });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs?.url).toMatch(/^https:\/\//);
    expect(manifest.scripts?.prepack).toBeTruthy();
    expect(manifest.engines?.node).toBeTruthy();
    for (const [subpath, target] of Object.entries<Record<string, string>>(manifest.exports)) {
      if (subpath.endsWith(".json")) continue;
      // "default" is what require() and import both reach; "types" comes before it
      expect(Object.keys(target).slice(-2), subpath).toEqual(["types", "default"]);
    }
    // pnpm packs every file named readme*, wherever it is
    const readmeNamed = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? readmeNamed(join(dir, entry.name)) : /^readme/i.test(entry.name) ? [entry.name] : [],
      );
    expect(readmeNamed(join(pkg.dir, "src"))).toEqual([]);
    // the README is the registry page: an install line, and only links that work from there
    const readme = readFileSync(join(pkg.dir, "README.md"), "utf8");
    expect(readme).toMatch(new RegExp(`^npm i (@tg/\\S+ )*${pkg.name.replace("/", "\\/")}( |$)`, "m"));
    const relativeLinks = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]).filter((url) => !/^(https:|#)/.test(url));
    expect(relativeLinks).toEqual([]);
  });
});
