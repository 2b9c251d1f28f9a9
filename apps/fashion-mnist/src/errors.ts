// How the CLI fails: user errors print one line and exit 2, never a stack trace.
// Used by cli.ts; the other modules throw UsageError for anything the user can fix.

/** Exit code of a run that finished. */
export const EXIT_OK = 0;
/** Exit code of an unexpected failure (a bug, a full disk). */
export const EXIT_FAILURE = 1;
/** Exit code of a bad command line, a missing or wrong checkpoint, unusable data or run folder. */
export const EXIT_USAGE = 2;
/** Exit code of a training run stopped because its loss or gradients stopped being finite. */
export const EXIT_DIVERGED = 3;
/** Exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;
/** Exit code of a run stopped with SIGTERM (128 + 15): `timeout`, `docker stop`, CI cancelling. */
export const EXIT_TERMINATED = 143;

/** A problem the user can fix (a bad option, a missing file); reported as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The first line of an error's message (never its stack), control characters escaped. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
  return printable(first.trim());
}

/**
 * `text` with every control character (C0, DEL, C1: escape sequences, carriage returns, bells)
 * written as `\xNN`, so a file name or checkpoint string cannot move the cursor, retitle or
 * clear the terminal it is printed on.
 */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** The exit code for an error thrown out of a command. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}
