// What the `loyalty` CLI's exit status means, so scripts and CI can branch on it.
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** Input was read but is invalid (campaign file, template, import rows). */
  validationFailed: 1,
  /** The command line itself is wrong (unknown command/option, missing argument). */
  usage: 2,
  /** A named thing (campaign, customer, version, file, stack) does not exist. */
  notFound: 3,
  /** DynamoDB, EventBridge, SES or CloudFormation failed or could not be reached. */
  remoteFailure: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown by commands to stop with a message and a meaningful exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** Machine-readable details printed under --json. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}
