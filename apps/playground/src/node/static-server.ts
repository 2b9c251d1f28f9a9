// A small static server for the built site (the tests and the benchmark use it): it serves dist/
// with or without the two headers that make a page cross-origin isolated, and the data set
// middleware beside it.

import { readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { datasetMiddleware } from "./dataset-middleware.js";

/** The two headers that give a page SharedArrayBuffer, hence the kernels' worker threads. */
export const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};

/** A running server and its address. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 (a free port), with the isolation headers when `isolated`, and the data of `dataDirs`. */
export async function serveStatic(root: string, options: { isolated: boolean; dataDirs?: readonly string[] }): Promise<RunningServer> {
  const data = datasetMiddleware(options.dataDirs);
  const server: Server = createServer((request, response) => {
    if (options.isolated) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
    data(request, response, () => {
      const path = decodeURIComponent((request.url ?? "/").split("?")[0]);
      const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
      if (!file.startsWith(normalize(root)) || !isFile(file)) {
        response.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
        return;
      }
      response.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
