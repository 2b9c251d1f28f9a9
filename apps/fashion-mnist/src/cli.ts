#!/usr/bin/env node
// The `fmnist` program: runs main() on the process's arguments and sets the exit code.
// From source: `node --import tsx --conditions=@tg/source src/cli.ts train` (what `pnpm demo` does;
// not the tsx command, which signals a busy program a second time 30 ms after Ctrl-C, then kills it).

import { fileURLToPath } from "node:url";
import { processIo } from "./io.js";
import { main } from "./main.js";

// runs/ lives in the app folder, next to src/ (or dist/ once built)
const runsDir = fileURLToPath(new URL("../runs", import.meta.url));
process.exitCode = await main(process.argv.slice(2), processIo(runsDir));
