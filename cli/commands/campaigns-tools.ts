// `loyalty campaigns preview | test-send`: see a journey's email as a customer would, from the
// published version or from files, and send yourself a test; plus `audience` and `explain`.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Command } from 'commander';
import { loadProgram } from '#shared/config/program-file.ts';
import { evaluateCondition } from '#shared/domain/journey-conditions.ts';
import { customerFactsReader } from '#shared/journeys/customer-facts.ts';
import { renderJourneySend } from '#shared/journeys/preview.ts';
import { sampleFacts, sampleRenderCustomer } from '#shared/journeys/sample.ts';
import type { RenderedEmail } from '#shared/mail/render.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { registerAudience } from './campaigns-audience.ts';
import { registerExplain } from './campaigns-explain.ts';
import { journeyFrom, sendStepOf, type SourceOptions, sourceOptions } from './journey-source.ts';

function terminalText(email: RenderedEmail, title: string, extra: string): string {
  const rule = '─'.repeat(72);
  return `${rule}\n${title} · ${email.locale} · ${extra}\nSubject: ${email.subject}\n${rule}\n${email.text.trimEnd()}\n${rule}`;
}

/** Render failures are template problems (exit 1), not crashes. */
async function rendered(render: Promise<RenderedEmail>): Promise<RenderedEmail> {
  return render.catch((error: Error) => {
    throw new CliError(EXIT.validationFailed, error.message);
  });
}

export function registerCampaignTools(campaigns: Command, context: CommandContext): void {
  sourceOptions(
    campaigns
      .command('preview')
      .description("render a journey's send step for a real customer: text to the terminal, HTML to a file")
      .argument('<journey>'),
  )
    .requiredOption('--customer <id>', 'customer whose profile, standing and segments to render with')
    .option('--variant <path>', 'split variant to show (the split path the customer would take)')
    .option('--out <file.html>', 'where to write the HTML (default: preview-<journey>-<customer>.html)')
    .action(
      async (id: string, options: SourceOptions & { customer: string; variant?: string; out?: string }) => {
        const source = await journeyFrom(context, id, options);
        const { journey } = source;
        const step = sendStepOf(journey, options.step);
        const targets = await context.targets();
        const now = await context.now();
        const facts = await customerFactsReader({
          doc: targets.doc,
          tableName: targets.tableName,
          clock: { now: () => now },
        })(options.customer);
        if (!facts) throw new CliError(EXIT.notFound, `customer ${options.customer} not found`);
        const { profile } = facts.stored;
        const email = await rendered(
          renderJourneySend({
            program: loadProgram(process.env),
            journey,
            templates: source.templates,
            step,
            facts,
            customer: {
              customerId: profile.customerId,
              email: profile.email ?? 'no-address@example.com',
              firstName: profile.firstName,
              lastName: profile.lastName,
              locale: profile.locale,
              timeZone: profile.timeZone,
              attributes: profile.attributes ?? {},
              predictions: profile.predictions,
            },
            now,
            version: source.version,
            variant: options.variant,
          }),
        );
        const out = path.resolve(
          context.io.cwd,
          options.out ?? `preview-${journey.id}-${options.customer}.html`,
        );
        await writeFile(out, email.html);
        const where = journey.trigger.where;
        const verdict = where
          ? evaluateCondition(where, facts.condition)
          : { holds: true, reason: 'no entry condition' };
        const entry = verdict.holds
          ? `would enter (${verdict.reason})`
          : `would not enter: ${verdict.reason}`;
        const holdout = journey.holdoutPercent ? `; ${journey.holdoutPercent}% of entries are held out` : '';
        context.out().result(
          {
            journey: journey.id,
            from: source.from,
            customer: options.customer,
            step: step.id,
            template: step.send.template,
            locale: email.locale,
            subject: email.subject,
            text: email.text,
            htmlFile: out,
            audience: `${entry}${holdout}`,
          },
          () =>
            `${terminalText(email, `${journey.name} (${journey.id}) · step ${step.id}`, source.from)}\nCustomer ${options.customer}: ${entry}${holdout}\nHTML written to ${path.relative(context.io.cwd, out) || out}`,
        );
      },
    );

  sourceOptions(
    campaigns
      .command('test-send')
      .description('send a test of a send step (sample customer) to an address; no ledger, no stats')
      .argument('<journey>'),
  )
    .requiredOption('--to <address>', 'where to send the test')
    .option('--locale <locale>', 'template locale', 'en-US')
    .option(
      '--from <address>',
      'From address (a verified SES identity for --stack)',
      process.env.SENDER_ADDRESS ?? 'rewards@loyalty-flows.local',
    )
    .action(async (id: string, options: SourceOptions & { to: string; locale: string; from: string }) => {
      if (!/^[^@\s]+@[^@\s]+$/.test(options.to))
        throw new CliError(EXIT.usage, `--to: ${options.to} is not an email address`);
      const source = await journeyFrom(context, id, options);
      const { journey } = source;
      const step = sendStepOf(journey, options.step);
      const program = loadProgram(process.env);
      const now = await context.now();
      const email = await rendered(
        renderJourneySend({
          program,
          journey,
          templates: source.templates,
          step,
          facts: sampleFacts(program, options.locale, now),
          customer: { ...sampleRenderCustomer(options.locale), email: options.to },
          now,
          version: source.version,
        }),
      );
      const targets = await context.targets();
      const sent = await targets.ses.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [options.to] },
          Content: {
            Simple: {
              Subject: { Data: `[TEST] ${email.subject}`, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Headers: [{ Name: 'X-Loyalty-Test', Value: 'true' }],
            },
          },
          ...(targets.sesConfigurationSet ? { ConfigurationSetName: targets.sesConfigurationSet } : {}),
          EmailTags: [
            { Name: 'campaign', Value: journey.id },
            { Name: 'test', Value: 'true' },
          ],
        }),
      );
      context.out().result(
        {
          journey: journey.id,
          from: source.from,
          to: options.to,
          step: step.id,
          template: step.send.template,
          locale: email.locale,
          subject: `[TEST] ${email.subject}`,
          messageId: sent.MessageId,
        },
        () =>
          `sent test of ${journey.id} step ${step.id} (${email.locale}, ${source.from}) to ${options.to}: ${sent.MessageId}${targets.mailbox ? `\nSee it at ${targets.mailbox}` : ''}`,
      );
    });

  registerAudience(campaigns, context);
  registerExplain(campaigns, context);
}
