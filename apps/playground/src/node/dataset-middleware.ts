// Node side of the page: a middleware that offers the Fashion-MNIST files of this machine under
// datasets/fashion-mnist/ (the dev server and the preview server use it), so a developer who
// already has the data set need not pick the files by hand. It looks where loadFashionMNIST looks,
// in the same order, and never downloads.

import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";

/** The four file names (each may also be gzipped). */
const NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

/** The URL path the page fetches the files from. */
export const DATA_PATH = "/datasets/fashion-mnist/";

/**
 * loadFashionMNIST's search order (without its `root` option): $FASHION_MNIST_DIR, the user
 * cache, then Debian's dataset-fashion-mnist folder. (Written out here rather than imported, so
 * that Vite can load its config before any package is built.)
 */
export function searchDirs(env: Record<string, string | undefined> = process.env): string[] {
  return [env.FASHION_MNIST_DIR, join(homedir(), ".cache", "tg", "fashion-mnist"), "/usr/share/datasets/fashion-mnist"].filter(
    (dir): dir is string => dir !== undefined && dir !== "",
  );
}

/** The path of `name` (plain, else .gz) in `dir`, or null. */
function findFile(dir: string, name: string): string | null {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(candidate)) return candidate;
  return null;
}

/** The first folder holding all four files, or null. */
export function findDataDir(dirs: readonly string[]): string | null {
  return dirs.find((dir) => NAMES.every((name) => findFile(dir, name) !== null)) ?? null;
}

type Next = (err?: unknown) => void;

/**
 * A connect-style middleware: GET datasets/fashion-mnist/index.json answers `{ dir }` (null when no
 * folder has the data; the built site holds that answer as a file, so static hosts give it too), GET datasets/fashion-mnist/<name> the file's bytes as stored (plain or
 * gzipped; the page's parser tells them apart). Anything else goes to `next`.
 */
export function datasetMiddleware(dirs: readonly string[] = searchDirs()) {
  return (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    const path = (request.url ?? "").split("?")[0];
    const at = path.indexOf(DATA_PATH);
    if (at < 0 || (request.method !== "GET" && request.method !== "HEAD")) return next();
    const name = path.slice(at + DATA_PATH.length);
    const dir = findDataDir(dirs);
    if (dir === null && name === "index.json") {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ dir: null }));
      return;
    }
    if (dir === null) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("no folder on this machine holds the four Fashion-MNIST files");
      return;
    }
    if (name === "index.json") {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ dir }));
      return;
    }
    const file = NAMES.includes(name) ? findFile(dir, name) : null;
    if (file === null) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end(`no file ${name}`);
      return;
    }
    const bytes = readFileSync(file);
    response.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": bytes.length });
    response.end(request.method === "HEAD" ? undefined : bytes);
  };
}
