/** The UI languages. 简体中文 first. Pure: usable on server and client. */
import { messagesFor, type AppMessages } from '@/messages';

export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'zh-CN';
export const LOCALE_COOKIE = 'NEXT_LOCALE';

export function toLocale(value: string | null | undefined): Locale {
  if (!value) return defaultLocale;
  if (value === 'en' || value.toLowerCase().startsWith('en')) return 'en';
  return 'zh-CN';
}

/** Every dotted path to a string in a message tree: 'errors.records.notFound', … */
type Leaves<T, P extends string = ''> = T extends string
  ? P
  : { [K in keyof T & string]: Leaves<T[K], P extends '' ? K : `${P}.${K}`> }[keyof T & string];

/** A message key, typed from the zh-CN files: a key that does not exist fails `tsc`. */
export type MessageKey = Leaves<AppMessages>;
/** The keys under a prefix: `MessageKeyUnder<'errors.directory'>`. */
export type MessageKeyUnder<P extends string> = Extract<MessageKey, `${P}.${string}`>;
export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * The message `key` in `locale`, with its ICU arguments filled from `params`: the same JSON
 * files and the same syntax next-intl uses in the UI (`{name}`, and
 * `{n, plural, =0 {…} one {# item} other {# items}}`), so one catalogue serves both. An
 * argument without a param stays as written, so a missing param shows rather than vanishes.
 * Pure and synchronous: domain errors and the form validators (which also run in the
 * browser) call it outside React.
 */
export function msg(locale: Locale, key: MessageKey, params?: MessageParams): string {
  let node: unknown = messagesFor(locale);
  for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  if (typeof node !== 'string') return key;
  return params ? format(node, params, locale) : node;
}

function format(template: string, params: MessageParams, locale: Locale): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = open < 0 ? -1 : closing(template, open);
    if (close < 0) return out + template.slice(i);
    out += template.slice(i, open) + argument(template.slice(open + 1, close), template.slice(open, close + 1), params, locale);
    i = close + 1;
  }
  return out;
}

/** The index of the `}` that closes the `{` at `open`, or -1. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function argument(body: string, whole: string, params: MessageParams, locale: Locale): string {
  const m = /^\s*(\w+)\s*(?:,\s*plural\s*,([\s\S]*))?$/.exec(body);
  if (!m || !Object.hasOwn(params, m[1])) return whole;
  const value = params[m[1]];
  if (m[2] === undefined) return String(value);
  const options = new Map<string, string>();
  const selector = /\s*(=\d+|\w+)\s*\{/y;
  for (let k = 0; k < m[2].length; ) {
    selector.lastIndex = k;
    const o = selector.exec(m[2]);
    const end = o ? closing(m[2], selector.lastIndex - 1) : -1;
    if (!o || end < 0) break;
    options.set(o[1], m[2].slice(selector.lastIndex, end));
    k = end + 1;
  }
  const n = Number(value);
  const chosen = options.get(`=${n}`) ?? options.get(new Intl.PluralRules(locale).select(n)) ?? options.get('other');
  return chosen === undefined ? whole : format(chosen.replace(/#/g, String(n)), params, locale);
}
