// The shop's brand as every email shows it (program.yaml `brand:`): name, logo, the shop's
// address on the web, the call-to-action colours and the postal footer address the law asks
// for. The call-to-action link is built here, with UTM parameters, so every journey's button
// is attributed in the shop's web analytics without its author writing a query string.
import * as z from 'zod';

const webAddress = z
  .url({ protocol: /^https?$/, message: 'must be a web address starting with https:// or http://' })
  .max(500);
const colour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour such as "#1d2b45"' });

const brandFields = z.strictObject({
  shopName: z.string().trim().min(1).max(80),
  /** Where the call-to-action button goes (UTM parameters are added per send). */
  shopUrl: webAddress,
  /** An image the emails show at the top (PNG or JPEG, about 160 × 48 px); none: the shop name. */
  logoUrl: webAddress.optional(),
  colors: z
    .strictObject({
      /** The button's background. */
      button: colour.default('#1d2b45'),
      /** The button's label: pick one that reads on `button` (4.5:1 contrast). */
      buttonText: colour.default('#ffffff'),
    })
    .default({ button: '#1d2b45', buttonText: '#ffffff' }),
  /** The shop's postal address, shown in every footer (CAN-SPAM asks for one). */
  footerAddress: z.string().trim().min(1).max(300),
  /** `utm_source` of every link; `utm_medium` is always `email`. */
  utmSource: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]*$/, { message: 'must be lower-case letters, digits, dots, dashes' })
    .default('loyalty-flows'),
});

export const brandSchema = brandFields;
export type Brand = z.output<typeof brandSchema>;

/** What a link is attributed to: the journey, and the step (with its split variant, if any). */
export interface LinkAttribution {
  campaign: string;
  content: string;
}

/** `utm_content` of a send: the step id, then the split variant when the customer took one. */
export function utmContent(step: string, variant?: string): string {
  return variant && variant !== step ? `${step}.${variant}` : step;
}

/** A shop link with the send's UTM parameters; parameters the URL already has are kept. */
export function shopLink(brand: Pick<Brand, 'shopUrl' | 'utmSource'>, to: LinkAttribution): string {
  const url = new URL(brand.shopUrl);
  url.searchParams.set('utm_source', brand.utmSource);
  url.searchParams.set('utm_medium', 'email');
  url.searchParams.set('utm_campaign', to.campaign);
  url.searchParams.set('utm_content', to.content);
  return url.toString();
}
