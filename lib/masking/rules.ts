/**
 * Mask rules: what a group whose field mode is `masked` sees instead of the value.
 *
 * Pure and dependency-free: `record-view` applies them on the server (a masked value never
 * leaves the server in plain), and the form builder runs the very same functions in the browser
 * to preview a rule. Nothing here may import server code.
 *
 * Invariants every rule keeps (rules.test.ts checks them as properties):
 * - fail closed: `maskValue` always masks. An unknown rule, `none`, no rule, or a custom rule
 *   that does not validate all mean `all`; a value that does not fit its rule (a "phone" with
 *   letters, an "email" without `@`) is masked as `all`, never shown as it is;
 * - for a value of two or more characters, the output never contains the whole (trimmed) value;
 * - text is cut at grapheme boundaries (Intl.Segmenter), so an emoji or a CJK character is kept
 *   or hidden whole, never split into a lone surrogate;
 * - where the true length would tell something (email local part, address, `all`), a fixed
 *   number of mask characters hides it.
 */
import { CITY_LEVEL, COMPOUND_SURNAMES, COUNTRY_PREFIX, PROVINCES } from './cn-data';

/** The named rules. `none` means "no rule": a masked field without one is shown as `all`. */
export const MASK_RULES = ['phone', 'id-card', 'bank-card', 'email', 'name', 'address', 'all', 'none'] as const;
export type MaskRule = (typeof MASK_RULES)[number];

/**
 * An admin's own rule: keep `keepStart` characters at the start and `keepEnd` at the end, and
 * replace the middle with `char`; with `length`, the middle is always that many characters, so
 * the true length is hidden. "Character" means a grapheme (what a person sees as one).
 */
export interface CustomMask {
  keepStart: number;
  keepEnd: number;
  char: string;
  length?: number;
}

/** What a field's `x-mask` may hold. */
export type MaskSpec = MaskRule | CustomMask;

/** A rule `maskValue` applies: never `none`. */
export type AppliedMask = Exclude<MaskRule, 'none'> | CustomMask;

/** Bounds of a custom rule; schemas/form.schema.json ($defs/customMask) states the same ones. */
export const CUSTOM_MASK_LIMITS = { keep: { min: 0, max: 20 }, length: { min: 1, max: 32 } } as const;

/**
 * The mask character: exactly one code point that is punctuation or a symbol (`*`, `●`, `#`,
 * `×`). Not a letter or digit (a masked value must not look like a real one), not whitespace
 * (the mask would be invisible). The meta-schema has the same pattern.
 */
export const MASK_CHAR_PATTERN = /^[\p{P}\p{S}]$/u;

/** What `all` shows for any non-empty value: always six, so the length is hidden. */
export const FULL_MASK = '******';

const STAR = '*';
/** Stars standing for "the rest" where the rest's length must not show. */
const REST = STAR.repeat(3);

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A custom rule exactly as the meta-schema allows it: no other keys, every bound kept. */
export function isCustomMask(v: unknown): v is CustomMask {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const { keep, length } = CUSTOM_MASK_LIMITS;
  return (
    Object.keys(o).every((k) => k === 'keepStart' || k === 'keepEnd' || k === 'char' || k === 'length') &&
    isInt(o.keepStart, keep.min, keep.max) &&
    isInt(o.keepEnd, keep.min, keep.max) &&
    typeof o.char === 'string' &&
    MASK_CHAR_PATTERN.test(o.char) &&
    (!hasOwn(o, 'length') || isInt(o.length, length.min, length.max))
  );
}

export const isMaskRule = (v: unknown): v is MaskRule => typeof v === 'string' && (MASK_RULES as readonly string[]).includes(v);

/** Is `v` something `x-mask` may hold (a named rule or a valid custom rule)? */
export const isMaskSpec = (v: unknown): v is MaskSpec => isMaskRule(v) || isCustomMask(v);

/**
 * The rule to apply to a field shown masked: its own, or `all` when it has none (`none`,
 * undefined) or holds something invalid. A masked field with no rule must still hide its value.
 */
export function effectiveMaskRule(rule: unknown): AppliedMask {
  if (isCustomMask(rule)) return rule;
  if (isMaskRule(rule) && rule !== 'none') return rule;
  return 'all';
}

// ---------------------------------------------------------------------------
// Text units

type Segmenter = { segment(input: string): Iterable<{ segment: string }> };
let segmenter: Segmenter | null | undefined;

/**
 * The value cut into graphemes (👨‍👩‍👧 is one, 张 is one). Where Intl.Segmenter is missing,
 * code points: an emoji sequence may then be cut between its parts, but never inside a
 * surrogate pair.
 */
export function graphemes(s: string): string[] {
  if (segmenter === undefined) {
    segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  }
  return segmenter ? Array.from(segmenter.segment(s), (x) => x.segment) : Array.from(s);
}

/** `units` with the first `start` and last `end` kept and the middle replaced. */
function keepEnds(units: string[], start: number, end: number, char: string, middleLength?: number): string {
  const n = units.length;
  const hidden = n - start - end;
  return units.slice(0, start).join('') + char.repeat(middleLength ?? hidden) + units.slice(n - end).join('');
}

/**
 * Replaces the digits of `s` in place, keeping the first `start` and the last `end` of them and
 * every separator: `+1 415 555 0132` stays readable as a phone number.
 */
function maskDigitsInPlace(s: string, start: number, end: number): string {
  const n = s.replace(/\D/g, '').length;
  let i = 0;
  return s.replace(/\d/g, (d) => {
    const keep = i < start || i >= n - end;
    i++;
    return keep ? d : STAR;
  });
}

// ---------------------------------------------------------------------------
// The rules. Each takes a trimmed, non-empty string.

/** 13812345678 → 138****5678 (and +86 138****5678); other numbers keep at most half their digits. */
function maskPhone(s: string): string {
  // Letters or other signs: not a phone number we know how to cut, so nothing shows.
  if (!/^[+\d\s\-().]+$/.test(s)) return FULL_MASK;
  const digits = s.replace(/\D/g, '');
  const n = digits.length;
  if (n === 0) return FULL_MASK;
  // +86 / 86 / 0086 before a mainland number. Any other `+…` is another country's number, even
  // when its digits look like a mainland one (+1 415 555 0132 is 11 digits starting with 14).
  const international = s.startsWith('+');
  const cnPrefix = (n === 13 && digits.startsWith('86')) || (n === 15 && digits.startsWith('0086') && !international);
  const national = cnPrefix ? digits.slice(n - 11) : digits;
  if ((cnPrefix || (n === 11 && !international)) && /^1[3-9]\d{9}$/.test(national)) {
    // The convention people recognise: network prefix and last four (尾号), 4 digits hidden.
    return (cnPrefix ? '+86 ' : '') + national.slice(0, 3) + STAR.repeat(4) + national.slice(7);
  }
  if (n <= 4) return maskDigitsInPlace(s, 0, 0);
  // At least half of the digits hidden: at most the first 3 and the last 4 stay.
  const kept = Math.floor(n / 2);
  const end = Math.min(4, Math.ceil(kept / 2));
  const start = Math.min(3, kept - end);
  return maskDigitsInPlace(s, start, end);
}

/**
 * At least the middle half hidden, at most 6 kept at the start and 4 at the end, the end
 * favoured (people check the last characters of an ID).
 */
function maskMiddleHalf(s: string): string {
  const units = graphemes(s);
  const kept = Math.floor(units.length / 2);
  const end = Math.min(4, Math.ceil(kept / 2));
  const start = Math.min(6, kept - end);
  return keepEnds(units, start, end, STAR);
}

/** 110105199003071234 → 110105********1234: region code and check digits, birth date hidden. */
function maskIdCard(s: string): string {
  const compact = s.replace(/[\s-]/g, '');
  if (/^\d{17}[\dXx]$/.test(compact)) return compact.slice(0, 6) + STAR.repeat(8) + compact.slice(14);
  // The old 15-digit form: region (6), birth date yymmdd (6), sequence (3).
  if (/^\d{15}$/.test(compact)) return compact.slice(0, 6) + STAR.repeat(6) + compact.slice(12);
  return maskMiddleHalf(s);
}

/**
 * At most the BIN (first 6) and the last 4, and only while at least 6 digits stay hidden: a
 * 16-digit card keeps 6 + 4, a 12-digit one the last 4, a shorter one nothing.
 */
function maskBankCard(s: string): string {
  if (!/^[\d\s-]+$/.test(s)) return FULL_MASK;
  const n = s.replace(/\D/g, '').length;
  if (n === 0) return FULL_MASK;
  const start = n - 10 >= 6 ? 6 : 0;
  const end = n - start - 4 >= 6 ? 4 : 0;
  return maskDigitsInPlace(s, start, end);
}

/**
 * zhang.san@example.com → z***@example.com: the first character of the local part and the
 * domain; always three stars, so the local part's length is hidden. A one-character local part
 * shows no character (it would be the whole of it). Not an email → `all`.
 */
function maskEmail(s: string): string {
  const m = /^([^@\s]+)@([^@\s.]+(?:\.[^@\s.]+)+)$/.exec(s);
  if (!m) return FULL_MASK;
  const local = graphemes(m[1]);
  return (local.length >= 2 ? local[0] : '') + REST + '@' + m[2];
}

const HAN_NAME = /^[\p{Script=Han}\u00b7\u30fb]+$/u;

/**
 * Chinese names keep the surname, one star per hidden character, as people expect: 张三 → 张*,
 * 张三丰 → 张**, 欧阳娜娜 → 欧阳** (a compound surname is kept whole, when something follows it).
 * Any other name (Latin, mixed scripts, emoji) keeps only its first character and three stars,
 * whatever its length and number of words: John Smith → J***, 张San → 张***. One character → *.
 */
function maskName(s: string): string {
  const units = graphemes(s);
  const n = units.length;
  if (n === 1) return STAR;
  if (HAN_NAME.test(s)) {
    const keep = n >= 3 && COMPOUND_SURNAMES.has(units[0] + units[1]) ? 2 : 1;
    return keepEnds(units, keep, 0, STAR);
  }
  return units[0] + REST;
}

/** The levels an address starts with that the rule keeps: province, then city; [] for neither. */
function provinceAndCity(s: string): string[] {
  const country = s.startsWith(COUNTRY_PREFIX) ? COUNTRY_PREFIX : '';
  let rest = s.slice(country.length);
  // The longest name that matches: 内蒙古自治区 before 内蒙古.
  let province: { name: string; cityLevel: boolean } | undefined;
  for (const p of PROVINCES) {
    const name = rest.startsWith(p.full) ? p.full : rest.startsWith(p.short) ? p.short : '';
    if (name && (!province || name.length > province.name.length)) province = { name, cityLevel: p.cityLevel };
  }
  const levels: string[] = [];
  if (province) {
    levels.push(country + province.name);
    rest = rest.slice(province.name.length);
    if (province.cityLevel) return levels;
  } else if (country) {
    // 中国 and then no province we know: nothing worth keeping.
    return levels;
  }
  const city = CITY_LEVEL.exec(rest);
  if (city) levels.push(city[0]);
  return levels;
}

/** A place name as the last part of an address: letters, with spaces, dots, hyphens, apostrophes; no digits. */
const PLACE_NAME = /^\p{L}[\p{L}\p{M} .'\u2019-]*$/u;

/**
 * Chinese addresses keep the province and the city: 广东省深圳市南山区科技园 → 广东省深圳市******;
 * a municipality or SAR is both at once: 北京市朝阳区建国路88号 → 北京市******. Autonomous
 * regions count as provinces, 自治州 / 地区 / 盟 as cities. An address that is nothing more than
 * its province and city keeps one level less. Other addresses keep only their last
 * comma-separated part, when it is a place name (letters, no digit) and at most half of the
 * address (usually the country or the city): "1 Main St, Springfield, USA" → "******, USA".
 * The rest is always six stars, so its length is hidden. An address the rule cannot place
 * shows nothing.
 */
function maskAddress(s: string): string {
  if (/\p{Script=Han}/u.test(s)) {
    const levels = provinceAndCity(s);
    // Keep strictly less than the whole value: something must stay hidden behind the stars.
    while (levels.length > 0 && levels.join('').length >= s.length) levels.pop();
    return levels.join('') + FULL_MASK;
  }
  const parts = s.split(/[,，]/).map((x) => x.trim());
  const last = parts[parts.length - 1];
  if (parts.length >= 2 && PLACE_NAME.test(last) && graphemes(last).length * 2 <= graphemes(s).length) {
    return `${FULL_MASK}, ${last}`;
  }
  return FULL_MASK;
}

/**
 * Keeps `keepStart` and `keepEnd` characters. Where they would together show the whole value
 * (or more), both shrink in proportion until at most half of it shows (rounded down): a rule
 * "keep 4 + 4" on a 6-character value keeps 1 + 2, on a 1-character value nothing.
 */
function maskCustom(s: string, rule: CustomMask): string {
  const units = graphemes(s);
  const n = units.length;
  let start = rule.keepStart;
  let end = rule.keepEnd;
  if (start + end >= n) {
    const kept = Math.floor(n / 2);
    start = Math.floor((kept * rule.keepStart) / (rule.keepStart + rule.keepEnd));
    end = kept - start;
  }
  return keepEnds(units, start, end, rule.char, rule.length);
}

function maskText(s: string, rule: AppliedMask): string {
  const text = s.trim();
  if (text === '') return '';
  if (typeof rule === 'object') return maskCustom(text, rule);
  switch (rule) {
    case 'phone':
      return maskPhone(text);
    case 'id-card':
      return maskIdCard(text);
    case 'bank-card':
      return maskBankCard(text);
    case 'email':
      return maskEmail(text);
    case 'name':
      return maskName(text);
    case 'address':
      return maskAddress(text);
    case 'all':
      return FULL_MASK;
    default: {
      const never: never = rule;
      return never;
    }
  }
}

/** Any stored value as text: numbers, booleans and bigints as written, objects as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // A value that cannot be written out (a cycle): something is there, so show that much.
    return FULL_MASK;
  }
}

/**
 * The value as a group with masked access sees it. Empty, null and undefined give '' (the caller
 * decides how to show "empty"); an array masks each item and joins the non-empty ones with ", ".
 * `rule` is a field's `x-mask` as stored: `none`, undefined or anything invalid mask as `all`.
 */
export function maskValue(value: unknown, rule: MaskSpec | undefined): string {
  const applied = effectiveMaskRule(rule);
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    return value
      .map((item) => maskValue(item, applied))
      .filter((x) => x !== '')
      .join(', ');
  }
  return maskText(asText(value), applied);
}
