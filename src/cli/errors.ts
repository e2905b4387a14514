/** An input the user must fix: the CLI prints its one-line message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure that is not the user's input (database busy, file locked): exit code 1. */
export class OperationalError extends Error {
  override name = 'OperationalError';
}
