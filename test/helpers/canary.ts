/**
 * Canary values for the leak tests (test/integration/canaries.test.ts, test/e2e/canaries.spec.ts):
 * generated per run, valid for their fields, unlike anything else in the data; and, per
 * value, the strings that must never reach someone who may see it only masked, or not at all.
 * Pure: the browser tests import it too.
 */
import { randomInt } from 'node:crypto';
import { idCardCheckDigit, luhnCheckDigit } from '../../lib/forms/cn-formats';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
/** Letters only: the plain fields of a canary hold no digits, so a search for a phone's or an ID's digits cannot match them. */
const letters = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[randomInt(26)]).join('');

/** A mainland mobile number: 1, a network digit, nine more. */
export const canaryPhone = () => `1${3 + randomInt(7)}${digits(9)}`;

/** A resident ID number with a real birth date (1960–1999) and a valid check digit. */
export function canaryIdNo(): string {
  const birth = new Date(Date.UTC(1960 + randomInt(40), randomInt(12), 1 + randomInt(28)));
  const first17 = `${['110105', '310104', '440305', '330106'][randomInt(4)]}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${digits(3)}`;
  return first17 + idCardCheckDigit(first17);
}

/** A 16-digit bank card number: a UnionPay-style 62 prefix, random digits, a valid Luhn check digit. */
export function canaryBankCard(): string {
  const payload = `62${digits(13)}`;
  return payload + luhnCheckDigit(payload);
}

export type CanaryValues = {
  name: string;
  contact: string;
  phone: string;
  idNo: string;
  email: string;
  address: string;
  level: string;
  notes: string;
};

/** A whole 客户 record of canaries. */
export function canaryValues(): CanaryValues {
  const tag = letters(8);
  return {
    name: `金丝雀科技${tag}有限公司`,
    contact: `雀${tag}`,
    phone: canaryPhone(),
    idNo: canaryIdNo(),
    email: `canary.${tag}.${letters(4)}@example.com`,
    address: `浙江省杭州市西湖区金丝雀路${letters(4)}巷`,
    level: 'VIP',
    notes: `金丝雀跟进${tag}`,
  };
}

/** Every value of a canary record (the level is one of four, not a canary). */
export const allValues = (v: CanaryValues): string[] => Object.entries(v).filter(([k]) => k !== 'level').map(([, x]) => x);

/** What must never appear of a value the person may see only masked: the value and the parts the mask hides. */
export const maskedLeaks: Record<'phone' | 'idNo' | 'email' | 'address', (v: string) => string[]> = {
  // 138****5678 shows the network prefix and the last four: the middle four never, with either end, nor spaced out.
  phone: (v) => [v, v.slice(0, 7), v.slice(3), `${v.slice(0, 3)} ${v.slice(3, 7)} ${v.slice(7)}`, `${v.slice(0, 3)}-${v.slice(3, 7)}-${v.slice(7)}`],
  // 110105********1234 hides the birth date (and the sequence number before the check digits).
  idNo: (v) => [v, v.slice(0, 14), v.slice(6), v.slice(6, 14)],
  // z***@example.com: the local part never.
  email: (v) => [v, v.split('@')[0]],
  // Province and city only: never the street.
  address: (v) => [v, v.slice(v.indexOf('区') + 1)],
};

/** The masked forms of the values (positive controls: the scans must be reading real answers). */
export const maskedForms = {
  phone: (v: string) => `${v.slice(0, 3)}****${v.slice(7)}`,
  idNo: (v: string) => `${v.slice(0, 6)}********${v.slice(14)}`,
};

/** Of a hidden value nothing may appear, its masked form included. */
export const hiddenLeaks = (field: keyof typeof maskedLeaks, v: string): string[] => [
  ...maskedLeaks[field](v),
  ...(field === 'phone' || field === 'idNo' ? [maskedForms[field](v)] : []),
];
