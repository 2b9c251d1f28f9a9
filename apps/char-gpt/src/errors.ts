// How the CLI fails: user errors print one line and exit 2, never a stack trace.

/** Exit code of a run that finished. */
export const EXIT_OK = 0;
/** Exit code of an unexpected failure (a bug, a full disk). */
export const EXIT_FAILURE = 1;
/** Exit code of a bad command line, a missing or wrong checkpoint, or unusable text. */
export const EXIT_USAGE = 2;
/** Exit code of a run stopped with Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** A problem the user can fix (a bad option, a missing file); reported as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The first line of an error's message (never its stack), for a one-line report. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
  return first.trim();
}

/** The exit code for an error thrown out of a command. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}
