// `loyalty legacy-campaigns preview | test-send | audience`: see a campaign as a customer would,
// send yourself a test, and size its audience for a day without scanning the table.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Command } from 'commander';
import { audienceFactsReader } from '#shared/campaigns/audience-facts.ts';
import { renderSample, sampleCustomer } from '#shared/campaigns/check-templates.ts';
import { CampaignValidationError, describeProblem, loadCampaignFile } from '#shared/campaigns/load.ts';
import { type Campaign, campaignTemplates } from '#shared/domain/campaign.ts';
import { audienceVerdict } from '#shared/domain/campaign-audience.ts';
import { isHeldOut } from '#shared/domain/holdout.ts';
import { type RenderCustomer, TemplateRenderer } from '#shared/mail/render.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { DUE_SHARDS, keys } from '#shared/store/keys.ts';
import { TimerStore } from '#shared/store/timers.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { catalogueOf } from './legacy-campaigns.ts';

interface SourceOptions {
  file?: string;
  dir: string;
  templates?: string;
  step?: string;
}

/** The campaign to work on: --file, else the published current version, else the shipped file. */
async function campaignFrom(
  context: CommandContext,
  id: string,
  options: SourceOptions,
): Promise<{ campaign: Campaign; from: string }> {
  const file = options.file ? path.resolve(context.io.cwd, options.file) : undefined;
  try {
    if (file) return { campaign: await loadCampaignFile(file), from: path.relative(context.io.cwd, file) };
    const published = await (await catalogueOf(context)).current(id);
    if (published) return { campaign: published.definition, from: `published v${published.version}` };
    const shipped = path.resolve(context.io.cwd, options.dir, `${id}.yaml`);
    if (existsSync(shipped))
      return { campaign: await loadCampaignFile(shipped), from: path.relative(context.io.cwd, shipped) };
  } catch (error) {
    if (error instanceof CampaignValidationError) {
      throw new CliError(EXIT.validationFailed, error.problems.map(describeProblem).join('\n'), {
        problems: error.problems,
      });
    }
    throw error;
  }
  throw new CliError(EXIT.notFound, `campaign ${id} is neither published nor in ${options.dir}/`);
}

function templateOf(campaign: Campaign, step: string | undefined): string {
  if (step) {
    const found = campaign.steps?.find((candidate) => candidate.id === step);
    if (!found)
      throw new CliError(
        EXIT.notFound,
        `campaign ${campaign.id} has no step ${step} (steps: ${(campaign.steps ?? []).map((s) => s.id).join(', ') || 'none'})`,
      );
    return found.template;
  }
  const [first] = campaignTemplates(campaign);
  if (!first) throw new CliError(EXIT.validationFailed, `campaign ${campaign.id} has no template`);
  return first;
}

function templatesDir(context: CommandContext, options: SourceOptions): string {
  return path.resolve(context.io.cwd, options.templates ?? path.join(options.dir, 'templates'));
}

function sourceOptions(command: Command): Command {
  return command
    .option('--file <yaml>', 'use this campaign file instead of the published version')
    .option('--dir <folder>', 'campaigns folder (shipped files and templates)', 'campaigns')
    .option('--templates <folder>', 'templates folder (default: <dir>/templates)')
    .option('--step <id>', 'step of a multi-step campaign (default: the first)');
}

function terminalText(
  email: { subject: string; text: string; locale: string },
  campaign: Campaign,
  extra: string,
): string {
  const rule = '─'.repeat(72);
  return `${rule}\n${campaign.name} (${campaign.id}) · ${email.locale} · ${extra}\nSubject: ${email.subject}\n${rule}\n${email.text.trimEnd()}\n${rule}`;
}

export function registerCampaignTools(campaigns: Command, context: CommandContext): void {
  sourceOptions(
    campaigns
      .command('preview')
      .description('render a campaign for a customer: text to the terminal, HTML to a file')
      .argument('<campaign>'),
  )
    .requiredOption('--customer <id>', 'customer whose profile (name, locale, time zone) to use')
    .option('--out <file.html>', 'where to write the HTML (default: preview-<campaign>-<customer>.html)')
    .action(async (id: string, options: SourceOptions & { customer: string; out?: string }) => {
      const { campaign, from } = await campaignFrom(context, id, options);
      const targets = await context.targets();
      const stored = await new CustomerStore(targets.doc, targets.tableName).getProfile(options.customer);
      if (!stored) throw new CliError(EXIT.notFound, `customer ${options.customer} not found`);
      const { profile } = stored;
      const locale = profile.locale ?? 'en-US';
      const customer: RenderCustomer = {
        ...sampleCustomer(locale),
        customerId: profile.customerId,
        email: profile.email ?? 'no-address@example.com',
        firstName: profile.firstName,
        lastName: profile.lastName,
        locale: profile.locale,
        timeZone: profile.timeZone,
        attributes: profile.attributes ?? {},
        predictions: profile.predictions,
      };
      const template = templateOf(campaign, options.step);
      const email = await renderSample(
        new TemplateRenderer(templatesDir(context, options)),
        campaign,
        template,
        locale,
        customer,
      ).catch((error: Error) => {
        throw new CliError(EXIT.validationFailed, error.message);
      });
      const out = path.resolve(
        context.io.cwd,
        options.out ?? `preview-${campaign.id}-${options.customer}.html`,
      );
      await writeFile(out, email.html);
      const at = await context.now();
      const facts = await audienceFactsReader({ ...targets, clock: { now: () => at } })(options.customer);
      const audience = facts
        ? audienceVerdict(campaign.audience, facts)
        : ({ in: false, because: 'unknown customer' } as const);
      const heldOut = isHeldOut(campaign.id, options.customer, campaign.holdoutPercent);
      const status = !audience.in
        ? `not in audience: ${audience.because}`
        : heldOut
          ? 'in the holdout group (would be recorded, not sent)'
          : 'in audience';
      context.out().result(
        {
          campaign: campaign.id,
          from,
          customer: options.customer,
          template,
          locale: email.locale,
          subject: email.subject,
          text: email.text,
          htmlFile: out,
          audience: status,
        },
        () =>
          `${terminalText(email, campaign, from)}\nCustomer ${options.customer}: ${status}\nHTML written to ${path.relative(context.io.cwd, out) || out}`,
      );
    });

  sourceOptions(
    campaigns
      .command('test-send')
      .description('send a test of the campaign (sample customer) to an address; no ledger, no stats')
      .argument('<campaign>'),
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
      const { campaign, from } = await campaignFrom(context, id, options);
      const template = templateOf(campaign, options.step);
      const customer = { ...sampleCustomer(options.locale), email: options.to };
      const email = await renderSample(
        new TemplateRenderer(templatesDir(context, options)),
        campaign,
        template,
        options.locale,
        customer,
      ).catch((error: Error) => {
        throw new CliError(EXIT.validationFailed, error.message);
      });
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
            { Name: 'campaign', Value: campaign.id },
            { Name: 'test', Value: 'true' },
          ],
        }),
      );
      context.out().result(
        {
          campaign: campaign.id,
          from,
          to: options.to,
          template,
          locale: email.locale,
          subject: `[TEST] ${email.subject}`,
          messageId: sent.MessageId,
        },
        () =>
          `sent test of ${campaign.id} (${email.locale}, ${from}) to ${options.to}: ${sent.MessageId}${targets.mailbox ? `\nSee it at ${targets.mailbox}` : ''}`,
      );
    });

  sourceOptions(
    campaigns
      .command('audience')
      .description('who is due on a day: count and a sample (timer triggers read the due index, no scan)')
      .argument('<campaign>'),
  )
    .option('--on <date>', 'day (YYYY-MM-DD, UTC; default: today on the local runtime’s clock)')
    .option('--sample <n>', 'how many customer ids to show', (value) => Number(value), 10)
    .action(async (id: string, flags: SourceOptions & { on?: string; sample: number }) => {
      const at = await context.now();
      const options = { ...flags, on: flags.on ?? at.toISOString().slice(0, 10) };
      if (!/^\d{4}-\d{2}-\d{2}$/.test(options.on) || Number.isNaN(Date.parse(`${options.on}T00:00:00Z`))) {
        throw new CliError(EXIT.usage, `--on: ${options.on} is not a date (YYYY-MM-DD)`);
      }
      const { campaign, from } = await campaignFrom(context, id, options);
      const kind = timerKindOf(campaign);
      if (!kind) {
        throw new CliError(
          EXIT.usage,
          `campaign ${campaign.id} is triggered by ${campaign.trigger.on === 'event' ? `the ${campaign.trigger.event} event` : `${campaign.trigger.on} (no due timers armed for it)`}: its audience on a day is not known in advance`,
        );
      }
      const targets = await context.targets();
      const timers = new TimerStore(targets.doc, targets.tableName);
      const factsOf = audienceFactsReader({ ...targets, clock: { now: () => at } });
      const dayStart = Date.parse(`${options.on}T00:00:00Z`);
      const due: { customerId: string; dueAt: string }[] = [];
      let queries = 0;
      for (let hour = 0; hour < 24; hour++) {
        for (let shard = 0; shard < DUE_SHARDS; shard++) {
          const bucket = keys.dueBucket(new Date(dayStart + hour * 3_600_000), shard);
          let startKey: Record<string, unknown> | undefined;
          do {
            const page = await timers.dueBucketPage(bucket, startKey, 500);
            queries++;
            for (const timer of page.timers)
              if (timer.data.kind === kind && timer.dueAt)
                due.push({ customerId: timer.customerId, dueAt: timer.dueAt });
            startKey = page.nextKey;
          } while (startKey);
        }
      }
      due.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      let inAudience = 0;
      let heldOut = 0;
      const notInAudience: Record<string, number> = {};
      const sample: { customerId: string; dueAt: string; status: string }[] = [];
      for (const entry of due) {
        const needsProfile = Object.keys(campaign.audience).length > 0;
        const facts = needsProfile ? await factsOf(entry.customerId) : undefined;
        const verdict = needsProfile
          ? facts
            ? audienceVerdict(campaign.audience, facts)
            : { in: false as const, because: 'unknown customer' }
          : { in: true as const };
        let status = 'send';
        if (!verdict.in) {
          notInAudience[verdict.because] = (notInAudience[verdict.because] ?? 0) + 1;
          status = `not in audience: ${verdict.because}`;
        } else if (isHeldOut(campaign.id, entry.customerId, campaign.holdoutPercent)) {
          inAudience++;
          heldOut++;
          status = 'held out';
        } else inAudience++;
        if (sample.length < options.sample) sample.push({ ...entry, status });
      }
      const result = {
        campaign: campaign.id,
        from,
        day: options.on,
        timerKind: kind,
        due: due.length,
        inAudience,
        heldOut,
        toSend: inAudience - heldOut,
        notInAudience,
        queries,
        sample,
      };
      context
        .out()
        .result(result, () =>
          [
            `${campaign.id} on ${options.on} (${from}): ${due.length} due, ${inAudience} in audience, ${heldOut} held out, ${inAudience - heldOut} to send`,
            ...Object.entries(notInAudience).map(
              ([because, count]) => `  ${count} not in audience: ${because}`,
            ),
            `  (${queries} due-index queries, no scan)`,
            ...sample.map((entry) => `  ${entry.dueAt}  ${entry.customerId}  ${entry.status}`),
          ].join('\n'),
        );
    });
}

/** The due-timer kind that fires this campaign, if its trigger has one. */
function timerKindOf(campaign: Campaign): 'birthday' | 'win-back' | undefined {
  if (campaign.trigger.on === 'birthday') return 'birthday';
  if (campaign.trigger.on === 'days-since-last-purchase') return 'win-back';
  return undefined;
}
