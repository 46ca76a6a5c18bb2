// Renders one send step of a journey version for one customer, outside the engine: the same
// template context a real send gets (shared/journeys/template-context.ts) and the version's own
// templates. Used by publish-time checks (every send step in every locale, sample customer),
// `campaigns preview` (a real customer) and `campaigns test-send`.
import type { JourneyProblem } from './parse.ts';
import { utmContent } from '../domain/brand.ts';
import type { Journey, JourneyStep } from '../domain/journey.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import {
  type RenderCustomer,
  type RenderedEmail,
  type RenderInput,
  TemplateRenderer,
} from '../mail/render.ts';
import type { JourneyTemplates } from '../store/journeys.ts';
import type { CustomerFacts } from './customer-facts.ts';
import type { JourneyFiles } from './files.ts';
import { SAMPLE_UNSUBSCRIBE_URL, sampleCoupon, sampleFacts, sampleRenderCustomer } from './sample.ts';
import { journeyTemplateContext } from './template-context.ts';

export type SendJourneyStep = Extract<JourneyStep, { send: unknown }>;

export interface PreviewInput {
  program: LoyaltyProgram;
  journey: Journey;
  templates: JourneyTemplates;
  step: SendJourneyStep;
  facts: CustomerFacts;
  customer: RenderCustomer;
  now: Date;
  version?: number | undefined;
  variant?: string | undefined;
}

export async function renderJourneySend(input: PreviewInput): Promise<RenderedEmail> {
  return new TemplateRenderer(input.templates, input.program).render(
    journeySendRender(input),
  );
}

/** What a send step renders with for this customer: the template, the customer, every variable. */
export function journeySendRender(input: Omit<PreviewInput, 'templates'>): RenderInput {
  const { journey, step, facts, now, program } = input;
  const offer = step.send.offer;
  const tier = facts.stored.loyalty?.tier ?? offer?.defaultTier ?? 'Bronze';
  return {
    template: step.send.template,
    customer: input.customer,
    unsubscribeUrl: SAMPLE_UNSUBSCRIBE_URL,
    variables: journeyTemplateContext({
      program,
      facts,
      journey: {
        id: journey.id,
        version: input.version ?? 0,
        entryId: 'preview',
        enteredAt: now.toISOString(),
      },
      stepId: step.id,
      variant: input.variant,
      event: journey.templates.sample,
      offer,
      coupon: offer ? sampleCoupon(offer, tier, now) : undefined,
      now,
    }),
    timeZone: input.customer.timeZone ?? journey.send.defaultTimeZone,
    currency: program.currency,
    link: { campaign: journey.id, content: utmContent(step.id, input.variant) },
  };
}

/**
 * Every send step rendered in every promised locale with the sample customer, strictly: a
 * variable no send provides, or Liquid that does not parse, is a problem at the step's template.
 */
export async function renderProblems(
  loaded: JourneyFiles,
  program: LoyaltyProgram,
  locate: (field: string) => number,
  now: Date,
): Promise<JourneyProblem[]> {
  const problems: JourneyProblem[] = [];
  for (const [index, step] of loaded.journey.steps.entries()) {
    if (!('send' in step)) continue;
    const field = `steps.${index}.send.template`;
    for (const locale of loaded.journey.templates.locales) {
      try {
        await renderJourneySend({
          program,
          journey: loaded.journey,
          templates: loaded.templates,
          step,
          facts: sampleFacts(program, locale, now),
          customer: sampleRenderCustomer(locale),
          now,
        });
      } catch (error) {
        problems.push({
          file: loaded.file,
          line: locate(field),
          field,
          message: `${locale}: ${(error as Error).message}`,
        });
      }
    }
  }
  return problems;
}
