// The process around a command: output streams, the folder relative paths start from, Ctrl-C.
// Commands take an Io so tests can run them in-process with stand-in streams.

/** A stream progress is drawn on (process.stderr, or a test's stand-in). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

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
  onInterrupt(handler: () => void): void;
  offInterrupt(handler: () => void): void;
}

/** The real process: stdout, stderr, SIGINT; paths relative to where the user typed the command. */
export function processIo(runsDir: string): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    print: (line) => void process.stdout.write(`${line}\n`),
    // NOTE: pnpm runs scripts inside the app folder; INIT_CWD is the folder the user ran pnpm in
    cwd: process.env.INIT_CWD ?? process.cwd(),
    runsDir,
    onInterrupt: (handler) => void process.on("SIGINT", handler),
    offInterrupt: (handler) => void process.off("SIGINT", handler),
  };
}
