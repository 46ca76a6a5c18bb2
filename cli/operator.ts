// Who is running the CLI, in its own module: commands that record an operator (campaigns publish,
// customers resubscribe) take it without loading each other's command trees.
import { userInfo } from 'node:os';

/** Who is running the CLI, for version records and audits: LOYALTY_USER, else the OS user. */
export function operator(): string {
  try {
    return process.env.LOYALTY_USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}
