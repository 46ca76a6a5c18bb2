// `loyalty` — the marketer's command line: campaigns (validate, publish, preview, ...) and
// customer imports, against the local runtime by default or a deployed stack with --stack.
import { Command, CommanderError, Option } from 'commander';
import type { CommandContext } from './command-module.ts';
import { commandEntries } from './commands/index.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { type CliIo, Output, processIo } from './io.ts';
import {
  DEFAULT_LOCAL_ENDPOINT,
  type GlobalOptions,
  resolveTargets,
  type Targets,
  targetNow,
} from './targets.ts';

/**
 * The program for these arguments: the modules of the commands named on the command line are
 * loaded and registered; every other command is listed by its summary alone (for --help).
 */
export async function buildProgram(
  io: CliIo,
  argv: string[],
): Promise<{ program: Command; context: CommandContext }> {
  const program = new Command('loyalty')
    .description('Manage loyalty-flows campaigns and customers.')
    .addOption(
      new Option(
        '--endpoint <url>',
        `local runtime front door (EventBridge/SQS); DynamoDB and SES are discovered from it (default: http://127.0.0.1:$LOCAL_AWS_PORT if set, else ${DEFAULT_LOCAL_ENDPOINT})`,
      ).env('LOYALTY_ENDPOINT'),
    )
    .addOption(
      new Option('--stack <name>', 'act on a deployed CloudFormation stack with your AWS credentials').env(
        'LOYALTY_STACK',
      ),
    )
    .addOption(new Option('--region <region>', 'AWS region of --stack (default: your AWS config)'))
    .option('--json', 'machine-readable output on stdout', false)
    .addHelpText(
      'after',
      `
Exit codes:
  0  ok
  1  validation failed (campaign, template or import rows)
  2  usage error
  3  not found (campaign, customer, version, file, stack)
  4  remote failure (DynamoDB, EventBridge, SES, CloudFormation)`,
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError();

  let targets: Promise<Targets> | undefined;
  const context: CommandContext = {
    io,
    globals: () => program.opts<GlobalOptions>(),
    out: () => new Output(io, Boolean(program.opts<GlobalOptions>().json)),
    targets: () => {
      targets ??= resolveTargets(program.opts<GlobalOptions>());
      return targets;
    },
    now: async () => targetNow(await context.targets()),
  };
  const words = new Set(argv.slice(2));
  for (const entry of commandEntries) {
    if (words.has(entry.name)) (await entry.load()).register(program, context);
    else program.command(entry.name).description(entry.summary);
  }
  return { program, context };
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const { program, context } = await buildProgram(io, argv);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      )
        return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    const failure = error instanceof CliError ? error : remoteFailure(error as Error, context.globals());
    if (context.out().json) {
      io.stdout.write(
        `${JSON.stringify({ error: failure.message, exitCode: failure.exitCode, details: failure.details }, null, 2)}\n`,
      );
    }
    io.stderr.write(`loyalty: ${failure.message}\n`);
    return failure.exitCode;
  }
}

function remoteFailure(error: Error, globals: GlobalOptions): CliError {
  const unreachable = /ECONNREFUSED|ENOTFOUND|fetch failed/.test(
    `${error.message} ${String((error as { code?: string }).code)}`,
  );
  if (unreachable && !globals.stack) {
    return new CliError(
      EXIT.remoteFailure,
      `cannot reach the local runtime (${error.message}); start it with \`npm start\`, or use --stack <name> for a deployed stack`,
    );
  }
  return new CliError(EXIT.remoteFailure, `${error.name}: ${error.message}`);
}
