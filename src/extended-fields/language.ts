/**
 * Languages of extended-field translations: ISO 639-1 two-letter codes, kept lower-case.
 */

// ISO 639-1, as published by the Library of Congress (the two-letter column).
const ISO_639_1 = new Set(
  (
    'aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy ' +
    'da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht ' +
    'hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky ' +
    'la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny ' +
    'oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss ' +
    'st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo ' +
    'za zh zu'
  ).split(' '),
);

/**
 * The stored form of a language code given by an administrator, or undefined when it is not an
 * ISO 639-1 code.
 *
 * @example languageCode('FR') // 'fr'
 * @example languageCode('fra') // undefined
 */
export function languageCode(value: string): string | undefined {
  const code = value.toLowerCase();
  return ISO_639_1.has(code) ? code : undefined;
}

/**
 * The language a `language` request header asks for: the primary subtag of its first tag,
 * lower-cased. Anything else (absent, `*`, a three-letter code) asks for no translation.
 *
 * @example requestedLanguage('fr-CA') // 'fr'
 * @example requestedLanguage('de, en;q=0.5') // 'de'
 * @example requestedLanguage(undefined) // undefined
 */
export function requestedLanguage(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const first = header.split(/[,;]/, 1)[0] ?? '';
  const primary = first.trim().split(/[-_]/, 1)[0] ?? '';
  return languageCode(primary);
}
