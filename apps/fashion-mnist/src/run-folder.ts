// The run folder belongs to one run: it is checked and created before any data is loaded, locked
// for the run's lifetime (the lock names its holder), and refused when it holds another run's files.

import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { UsageError } from "./errors.js";
import { RUN_FILES } from "./report.js";

/** The lock file a running `train` keeps in its folder. */
export const LOCK_FILE = ".fmnist-lock.json";

/** Who holds a run folder, as the lock file records it. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601 time the run started. */
  started: string;
}

/** A run folder this process holds; `release()` gives it up (and removes it if nothing was written). */
export interface RunFolder {
  path: string;
  /**
   * Deletes the earlier run's files that `--force` allowed to replace (nothing without it). Called
   * once the data has loaded, before the first file is written: a run that fails before then
   * leaves the earlier run as it was, and none of its files sits beside the new run's.
   */
  clearEarlierRun(): void;
  release(): void;
}

/**
 * Creates `out` (with missing parents) if needed, locks it, and makes sure it holds no other
 * run's files: with `force` the files a run writes may be replaced (`clearEarlierRun` deletes
 * them), anything else is refused. Every problem is a UsageError naming --out, raised before any
 * data is loaded.
 */
export function claimRunFolder(out: string, force: boolean, holder: LockHolder = currentHolder()): RunFolder {
  const created = createFolder(out);
  const lock = join(out, LOCK_FILE);
  const removeCreated = () => {
    for (const dir of created) if (isEmptyFolder(dir)) rmdirSync(dir);
  };
  try {
    takeLock(out, lock, holder);
  } catch (err) {
    removeCreated();
    throw err;
  }
  const release = () => {
    if (readHolder(lock)?.pid === holder.pid) rmSync(lock, { force: true });
    removeCreated();
  };
  try {
    checkEarlierRun(out, force);
  } catch (err) {
    release();
    throw err;
  }
  const clearEarlierRun = () => {
    if (!force) return; // without --force the folder was empty of run files, and stays locked
    for (const name of runEntries(out)) rmSync(join(out, name), { force: true });
  };
  return { path: out, clearEarlierRun, release };
}

/** This process, as a lock file names it. */
export function currentHolder(): LockHolder {
  return { pid: process.pid, host: hostname(), started: new Date().toISOString() };
}

/**
 * Makes `out` and its missing parents one level at a time (Node's recursive mkdir loops forever
 * under /proc); returns the folders it made, deepest first.
 */
function createFolder(out: string): string[] {
  const missing: string[] = [];
  let dir = out;
  while (!existsSync(dir)) {
    missing.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(dir === out ? `--out ${out} is a file, not a folder` : `--out ${out} cannot be made: ${dir} is a file`);
  }
  const made: string[] = [];
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (err) {
      for (const m of made.reverse()) rmdirSync(m);
      throw new UsageError(`--out ${out} cannot be made: ${folder}: ${reason(err)}`);
    }
    made.push(folder);
  }
  return made.reverse();
}

function takeLock(out: string, lock: string, holder: LockHolder): void {
  // written whole to a private file, then linked into place: the lock appears complete or not at all
  const temporary = `${lock}.${holder.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(holder)}\n`);
  } catch (err) {
    throw new UsageError(`--out ${out} is not writable: ${reason(err)}`);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temporary, lock);
        return;
      } catch (err) {
        if (errorCode(err) !== "EEXIST") throw new UsageError(`--out ${out} cannot be locked: ${reason(err)}`);
      }
      const other = readHolder(lock);
      if (attempt === 0 && other !== null && isStale(other)) {
        rmSync(lock, { force: true }); // the run that held it died without releasing it
        continue;
      }
      const who = other === null ? `see ${lock}` : `pid ${other.pid} on ${other.host}, started ${other.started}`;
      throw new UsageError(`--out ${out} is in use by another run (${who}); wait for it to end or choose another --out`);
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** A lock whose process is gone: same host and no such pid. Another host's lock is never stale. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return errorCode(err) === "ESRCH";
  }
}

function readHolder(lock: string): LockHolder | null {
  try {
    const value: unknown = JSON.parse(readFileSync(lock, "utf8"));
    if (typeof value !== "object" || value === null) return null;
    const { pid, host, started } = value as Partial<Record<keyof LockHolder, unknown>>;
    if (!Number.isSafeInteger(pid) || typeof host !== "string" || typeof started !== "string") return null;
    return { pid: pid as number, host, started };
  } catch {
    return null;
  }
}

/** Files a run writes (and the temporary files of its atomic writes). */
function isRunFile(name: string): boolean {
  const base = name.replace(/\.\d+\.tmp$/, "");
  return (Object.values(RUN_FILES) as string[]).includes(base);
}

/** The entries of `out` other than the lock and its temporary files. */
function runEntries(out: string): string[] {
  return readdirSync(out).filter((name) => name !== LOCK_FILE && !name.startsWith(`${LOCK_FILE}.`));
}

function checkEarlierRun(out: string, force: boolean): void {
  const entries = runEntries(out);
  if (entries.length === 0) return;
  const foreign = entries.filter((name) => !isRunFile(name));
  if (foreign.length > 0) {
    throw new UsageError(`--out ${out} holds files that are not a run's (${listNames(foreign)}); choose a new or empty folder`);
  }
  if (!force) {
    throw new UsageError(`--out ${out} holds another run's files (${listNames(entries)}); pass --force to delete them, or choose another --out`);
  }
}

function listNames(names: readonly string[]): string {
  const sorted = [...names].sort();
  return sorted.length <= 3 ? sorted.join(", ") : `${sorted.slice(0, 3).join(", ")} and ${sorted.length - 3} more`;
}

function isEmptyFolder(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

function errorCode(err: unknown): string {
  return err instanceof Error && "code" in err ? String(err.code) : "";
}

/** The system's reason without Node's syscall decoration: `EACCES (permission denied)`. */
function reason(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const text = /^[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
  return code === "" ? text : `${text} (${code})`;
}
