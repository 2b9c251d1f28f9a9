// The process around a command: its output streams, the folder relative paths start from, and
// the stop signals (Ctrl-C, SIGTERM). Commands take an Io so tests can run them in-process.

import type { ProgressStream } from "./progress.js";

/** The signals that ask a run to stop: Ctrl-C, and what `timeout`, `docker stop` and CI send. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** What a command may touch outside its arguments. */
export interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Writes one line to stdout. */
  print(line: string): void;
  /** The folder relative paths on the command line are resolved against. */
  cwd: string;
  /** The folder `runs/` goes into when --out is not given. */
  runsDir: string;
  /** Calls `handler` on SIGINT and SIGTERM (instead of the default of dying at once). */
  onInterrupt(handler: (signal: StopSignal) => void): void;
  offInterrupt(handler: (signal: StopSignal) => void): void;
  exit(code: number): never;
}

const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM"];

/** The real process: stdout, stderr, SIGINT and SIGTERM; paths relative to where the user typed the command. */
export function processIo(runsDir: string): Io {
  const listeners = new Map<(signal: StopSignal) => void, (signal: NodeJS.Signals) => void>();
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    print: (line) => void process.stdout.write(`${line}\n`),
    // NOTE: pnpm runs scripts inside the app folder; INIT_CWD is the folder the user ran pnpm in
    cwd: process.env.INIT_CWD ?? process.cwd(),
    runsDir,
    onInterrupt: (handler) => {
      const listener = (signal: NodeJS.Signals) => handler(signal === "SIGTERM" ? "SIGTERM" : "SIGINT");
      listeners.set(handler, listener);
      for (const signal of STOP_SIGNALS) process.on(signal, listener);
    },
    offInterrupt: (handler) => {
      const listener = listeners.get(handler);
      if (listener === undefined) return;
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
      listeners.delete(handler);
    },
    exit: (code) => process.exit(code),
  };
}
