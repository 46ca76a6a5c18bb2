// What every email links to, built by the renderer so a template author cannot get it wrong:
// `{% cta "Shop now" %}` is a button to the shop with the send's UTM parameters (a plain
// "Shop now: <link>" line in text.liquid), `{% logo %}` the brand's logo (or its name), and
// `{{ coupon.tier | tier_name }}` a tier in the customer's language from program.yaml.
import { type Context, type Emitter, type Liquid, Tag, type TagToken, type TopLevelToken, Value } from 'liquidjs';
import { type Brand, type LinkAttribution, shopLink } from '../domain/brand.ts';
import { type LoyaltyProgram, programLocale, tierById, tierName } from '../domain/loyalty-program.ts';
import { escapeHtml } from './escape-html.ts';
import { TemplateError } from './template-error.ts';

/** The part of the program an email needs: the brand and the tier names. */
export type ShopSettings = Pick<LoyaltyProgram, 'brand' | 'tiers' | 'defaultLocale'>;

/** What the tags and filters read from the render's globals. */
export interface ShopRender {
  shop: ShopSettings;
  link: LinkAttribution;
  locale: string;
}

function shopRenderOf(ctx: Context): ShopRender {
  return (ctx.globals as { render: ShopRender }).render;
}

function brandOf(shop: ShopSettings): Brand {
  if (!shop.brand)
    throw new TemplateError('the program has no brand: set brand.shopName, shopUrl and footerAddress in program.yaml');
  return shop.brand;
}

/** The shop link of this send (UTM parameters included), or null when the program has no brand. */
export function sendShopLink(shop: ShopSettings, link: LinkAttribution): string | null {
  return shop.brand ? shopLink(shop.brand, link) : null;
}

/**
 * A "bulletproof" button: a table cell carries the colour, so Outlook (which ignores padding on
 * links) still shows a button; 48 px tall, a thumb's target, centred at any width.
 */
export function ctaButtonHtml(brand: Brand, href: string, label: string): string {
  const { button, buttonText } = brand.colors;
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:20px auto 24px auto;">` +
    `<tr><td align="center" bgcolor="${button}" style="border-radius:8px;background:${button};">` +
    `<a class="cta" href="${escapeHtml(href)}" style="display:inline-block;padding:15px 32px;font-size:17px;` +
    `font-weight:700;line-height:18px;color:${buttonText};text-decoration:none;border-radius:8px;">` +
    `${escapeHtml(label)}</a></td></tr></table>`
  );
}

function ctaTag(html: boolean) {
  return class CallToAction extends Tag {
    readonly #label: Value;
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      if (!token.args.trim()) throw new TemplateError('cta needs a label: {% cta "Shop now" %}');
      this.#label = new Value(token.args, liquid);
    }
    *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      const label = String(yield this.#label.value(ctx));
      const { shop, link } = shopRenderOf(ctx);
      const brand = brandOf(shop);
      const href = shopLink(brand, link);
      emitter.write(html ? ctaButtonHtml(brand, href, label) : `${label}: ${href}`);
    }
  };
}

function logoTag(html: boolean) {
  return class Logo extends Tag {
    render(ctx: Context, emitter: Emitter): void {
      const brand = brandOf(shopRenderOf(ctx).shop);
      const name = escapeHtml(brand.shopName);
      if (!html) emitter.write(brand.shopName);
      else if (brand.logoUrl)
        emitter.write(
          `<img src="${escapeHtml(brand.logoUrl)}" alt="${name}" height="40" style="display:block;height:40px;max-width:200px;border:0;">`,
        );
      else emitter.write(`<span style="font-size:18px;font-weight:700;letter-spacing:0.5px;">${name}</span>`);
    }
  };
}

function tierNameFilter(this: { context: Context }, id: unknown): string {
  const { shop, locale } = shopRenderOf(this.context);
  const tier = typeof id === 'string' ? tierById(shop, id) : undefined;
  if (!tier) throw new TemplateError(`tier_name: ${JSON.stringify(id)} is not a tier of the program`);
  return tierName(shop, tier, programLocale(shop, locale));
}

/** Registers `cta`, `logo` and `tier_name` on an engine (html: the HTML part, else subject/text). */
export function registerShopTags(liquid: Liquid, html: boolean): void {
  liquid.registerTag('cta', ctaTag(html));
  liquid.registerTag('logo', logoTag(html));
  liquid.registerFilter('tier_name', tierNameFilter);
}
