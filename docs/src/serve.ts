// A small static server for the built site, as a host would serve it: `/a/b` and `/a/b.html` give
// b.html, a folder gives its index.html, anything else is a 404.

import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain",
};

/** The file a URL path maps to in `root`, or null. */
export function resolvePath(root: string, urlPath: string): string | null {
  const path = normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, "");
  const candidates = path.endsWith("/") ? [join(root, path, "index.html")] : [join(root, path), join(root, `${path}.html`)];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** Serves `root` on a free port of 127.0.0.1; resolves to the server and its base URL. */
export async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const file = resolvePath(root, new URL(request.url ?? "/", "http://x").pathname);
    if (file === null) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
