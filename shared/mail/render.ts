// Renders a campaign's Liquid templates for one customer. HTML output is escaped by default, so
// a hostile name stays text; a variable the template needs but the request lacks is an error,
// never a silent blank; every email ends up with a visible unsubscribe link, and its call to
// action, logo and tier names come from the program (./call-to-action.ts).
import { Liquid, type Template } from 'liquidjs';
import type { LinkAttribution } from '../domain/brand.ts';
import type { CustomerPrediction } from '../domain/customer-predictions.ts';
import { formatMoney } from '../domain/money.ts';
import { registerShopTags, sendShopLink, type ShopSettings } from './call-to-action.ts';
import { escapeHtml } from './escape-html.ts';
import { TemplateError } from './template-error.ts';

export { escapeHtml, TemplateError };

export const FALLBACK_LOCALE = 'en-US';
const PARTS = ['subject', 'html', 'text'] as const;
type Part = (typeof PARTS)[number];

export interface RenderCustomer {
  customerId: string;
  email: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  locale?: string | undefined;
  timeZone?: string | undefined;
  attributes?: Record<string, string> | undefined;
  /** The profile's predictions (shared/domain/customer-predictions.ts), as of their last refresh. */
  predictions?:
    | Pick<CustomerPrediction, 'pAlive' | 'churnRisk' | 'predictedValue12mMilli' | 'expectedNextPurchaseAt'>
    | undefined;
}

export interface RenderInput {
  template: string;
  customer: RenderCustomer;
  unsubscribeUrl: string;
  variables: Record<string, unknown>;
  /** The zone dates are shown in (the customer's, or the program default). */
  timeZone: string;
  /** Currency for `money` when the template names none. */
  currency: string;
  /** What the links are attributed to (utm_campaign, utm_content); default: the template name. */
  link?: LinkAttribution | undefined;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The template locale actually used (after fallback). */
  locale: string;
}

/** What liquidjs binds `this` to in a filter (its FilterImpl type is not exported). */
interface FilterImpl {
  context: { globals: unknown };
}

interface RenderSettings {
  locale: string;
  timeZone: string;
  currency: string;
}

function settingsOf(filter: FilterImpl): RenderSettings {
  return (filter.context.globals as { render: RenderSettings }).render;
}

function moneyFilter(this: FilterImpl, milli: unknown, currency?: unknown): string {
  const settings = settingsOf(this);
  const amount = Number(milli);
  if (!Number.isFinite(amount))
    throw new TemplateError(`money: ${JSON.stringify(milli)} is not an amount in milli-units`);
  return formatMoney(amount, typeof currency === 'string' ? currency : settings.currency, settings.locale);
}

const DATE_STYLES = new Set(['full', 'long', 'medium', 'short']);
// One formatter per (locale, zone, style): constructing Intl.DateTimeFormat is the costly part.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFilter(this: FilterImpl, value: unknown, style?: unknown): string {
  const settings = settingsOf(this);
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TemplateError(`date: ${JSON.stringify(value)} is not a date`);
  const dateStyle = typeof style === 'string' && DATE_STYLES.has(style) ? style : 'long';
  const key = `${settings.locale}|${settings.timeZone}|${dateStyle}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(settings.locale, {
      dateStyle: dateStyle as 'full' | 'long' | 'medium' | 'short',
      timeZone: settings.timeZone,
    });
    dateFormats.set(key, format);
  }
  return format.format(date);
}

function engine(html: boolean): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    // `{{ customer.firstName | default: "there" }}` and `{% if coupon %}` may probe optional values.
    lenientIf: true,
    ownPropertyOnly: true,
    ...(html ? { outputEscape: 'escape' as const } : {}),
  });
  liquid.registerFilter('money', moneyFilter);
  liquid.registerFilter('date', dateFilter);
  registerShopTags(liquid, html);
  return liquid;
}

const FOOTER_LABEL: Record<string, string> = { zh: '退订', en: 'Unsubscribe' };

function footerLabel(locale: string): string {
  return FOOTER_LABEL[locale.split('-')[0] ?? 'en'] ?? (FOOTER_LABEL.en as string);
}

/** A journey version's templates (published, or a preview's): template name -> locale -> its three Liquid sources. */
export type StoredTemplates = Readonly<Record<string, Readonly<Record<string, Readonly<Record<Part, string>>>>>>;

/**
 * A name as templates see it: trimmed, and null when blank, because Liquid treats "" and "  " as
 * true — `{% if customer.firstName %}Hi {{ customer.firstName }},` would greet "Hi ,".
 */
function presentName(name: string | undefined): string | null {
  const trimmed = name?.trim();
  return trimmed ? trimmed : null;
}

export class TemplateRenderer {
  readonly #html = engine(true);
  readonly #plain = engine(false);
  readonly #cache = new Map<string, Promise<Record<Part, Template[]>>>();
  /** (template, wanted locale) -> the locale used: the source is read once per renderer, like the templates. */
  readonly #locales = new Map<string, string>();

  /** The templates, and the program whose brand and tier names the emails show. */
  constructor(
    readonly templates: StoredTemplates,
    readonly shop: ShopSettings,
  ) {}

  /** The locale folder to use: exact, then same language, then en-US. */
  resolveLocale(template: string, wanted: string | undefined): string {
    const key = `${template}|${wanted ?? ''}`;
    let locale = this.#locales.get(key);
    if (!locale) {
      locale = this.#findLocale(template, wanted);
      this.#locales.set(key, locale);
    }
    return locale;
  }

  #findLocale(template: string, wanted: string | undefined): string {
    if (!/^[\w-]+$/.test(template) || !(template in this.templates))
      throw new TemplateError(`no template "${template}"`);
    const candidates = [wanted, wanted?.split('-')[0], FALLBACK_LOCALE].filter((c): c is string =>
      Boolean(c),
    );
    for (const candidate of candidates) {
      if (/^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$/.test(candidate) && this.templates[template]?.[candidate]) {
        return candidate;
      }
    }
    throw new TemplateError(`template "${template}" has no ${FALLBACK_LOCALE} version`);
  }

  async render(input: RenderInput): Promise<RenderedEmail> {
    const locale = this.resolveLocale(input.template, input.customer.locale);
    const parsed = await this.load(input.template, locale);
    const { customer } = input;
    const link = input.link ?? { campaign: input.template, content: input.template };
    // Customer fields the profile lacks are null (known to be empty), so `default` works on them;
    // campaign variables stay strict: a missing one is an error.
    const scope = {
      ...input.variables,
      customer: {
        id: customer.customerId,
        email: customer.email,
        firstName: presentName(customer.firstName),
        lastName: presentName(customer.lastName),
        locale: customer.locale ?? locale,
        timeZone: input.timeZone,
        attributes: customer.attributes ?? {},
        // null before the first fit: templates guard with {% if customer.predictions %}.
        predictions: customer.predictions
          ? {
              pAlive: customer.predictions.pAlive,
              churnRisk: customer.predictions.churnRisk,
              predictedValue: customer.predictions.predictedValue12mMilli ?? null,
              expectedNextPurchaseAt: customer.predictions.expectedNextPurchaseAt ?? null,
            }
          : null,
      },
      unsubscribeUrl: input.unsubscribeUrl,
      // null without a brand: `{% if brand %}` may probe it; {% cta %} and {% logo %} say what is missing.
      brand: this.shop.brand ?? null,
      shopUrl: sendShopLink(this.shop, link),
    };
    const globals = {
      render: {
        locale: customer.locale ?? locale,
        timeZone: input.timeZone,
        currency: input.currency,
        shop: this.shop,
        link,
      },
    };
    try {
      // Synchronous: every filter is, and the templates are already parsed; liquidjs's async path
      // wraps each node in a promise for nothing.
      const subject = this.#plain.renderSync(parsed.subject, scope, { globals });
      const html = this.#html.renderSync(parsed.html, scope, { globals });
      const text = this.#plain.renderSync(parsed.text, scope, { globals });
      return {
        // A subject is one header line: no CR/LF can smuggle in another header.
        subject: String(subject)
          .replace(/[\r\n]+/g, ' ')
          .trim(),
        html: withHtmlFooter(String(html), input.unsubscribeUrl, locale),
        text: withTextFooter(String(text), input.unsubscribeUrl, locale),
        locale,
      };
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw new TemplateError(`template "${input.template}" (${locale}): ${(error as Error).message}`);
    }
  }

  private load(template: string, locale: string): Promise<Record<Part, Template[]>> {
    const key = `${template}/${locale}`;
    let loading = this.#cache.get(key);
    if (!loading) {
      loading = (async () => {
        const entries = await Promise.all(
          PARTS.map(async (part) => {
            const file = `${template}/${locale}/${part}`;
            const source = this.templates[template]?.[locale]?.[part];
            if (source === undefined) throw new TemplateError(`template "${key}" is missing ${part}.liquid`);
            try {
              return [part, (part === 'html' ? this.#html : this.#plain).parse(source, file)] as const;
            } catch (error) {
              throw new TemplateError(
                `template ${key}/${part}.liquid does not parse: ${(error as Error).message}`,
              );
            }
          }),
        );
        return Object.fromEntries(entries) as Record<Part, Template[]>;
      })();
      loading.catch(() => this.#cache.delete(key));
      this.#cache.set(key, loading);
    }
    return loading;
  }
}

/** Appends the standard unsubscribe footer unless the template already shows the link. */
function withHtmlFooter(html: string, url: string, locale: string): string {
  const href = escapeHtml(url);
  if (html.includes(`href="${href}"`)) return html;
  const footer = `<p style="font-size:12px;color:#666;margin-top:24px"><a href="${href}">${footerLabel(locale)}</a></p>`;
  const close = html.lastIndexOf('</body>');
  return close === -1 ? `${html}\n${footer}\n` : `${html.slice(0, close)}${footer}\n${html.slice(close)}`;
}

function withTextFooter(text: string, url: string, locale: string): string {
  if (text.includes(url)) return text;
  return `${text.trimEnd()}\n\n--\n${footerLabel(locale)}: ${url}\n`;
}
