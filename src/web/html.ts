/**
 * HTML that is safe to send: produced only by {@link html}, which escapes every value put into
 * it unless that value is itself `SafeHtml`. Pages are built from these and nothing else, so a
 * value a person typed (a lead's name, a username) can never become markup.
 */
export class SafeHtml {
  /** @internal Use {@link html}; the constructor trusts its text. */
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** What a page template may interpolate: text is escaped, `SafeHtml` kept, absent values dropped. */
export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | ReadonlyArray<HtmlValue>;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text or a quoted attribute value: `& < > " '` escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return (value as ReadonlyArray<HtmlValue>).map(render).join('');
  // `false` and absent values render as nothing, so `${cond && html`…`}` reads naturally.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template of HTML: the literal parts are the page's markup, every interpolated value is
 * escaped (arrays are joined, `SafeHtml` is kept as it is).
 *
 * @example html`<p>${lead.leadFor}</p>` // '<p>&lt;script&gt;…</p>' for a hostile value
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) text += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(text);
}
