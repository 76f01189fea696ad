/**
 * What the permission editor and the grant save operation share, so the browser promises
 * what the server does: what is wrong with a grant (lib/policy grantProblems) said in the
 * admin's language and placed at the cell the editor shows it in, and when two grants are
 * the same.
 *
 * Pure: runs in the browser and on the server.
 */
import { msg, type Locale } from '@/lib/i18n';
import { recordActions, type GrantProblem, type RecordAction } from '@/lib/policy';

/** Where a problem sits in the editor: an action's cell, a field's cell, or the grant as a whole. */
export type GrantProblemPlace = { action: RecordAction } | { field: string } | { grant: true };

const isAction = (s: string | undefined): s is RecordAction => (recordActions as readonly string[]).includes(s ?? '');

export function grantProblemPlace(p: GrantProblem): GrantProblemPlace {
  if (p.code === 'unknownFieldMode') return { field: p.field };
  if (p.code === 'schema') {
    // /actions/<action>/… or /fields/<key>: the cell the admin edited.
    const [, top, key] = p.path.split('/');
    if (top === 'actions' && isAction(key)) return { action: key };
    if (top === 'fields' && key) return { field: key.replace(/~1/g, '/').replace(/~0/g, '~') };
    return { grant: true };
  }
  return isAction(p.action) ? { action: p.action } : { grant: true };
}

/**
 * One problem as a sentence. `fieldTitle` names a field as the admin knows it (its title);
 * `$owner` and `$department` have names of their own.
 */
export function grantProblemText(locale: Locale, p: GrantProblem, fieldTitle: (key: string) => string): string {
  const field = (key: string) =>
    key === '$owner' ? msg(locale, 'grants.condition.owner') : key === '$department' ? msg(locale, 'grants.condition.department') : fieldTitle(key);
  const action = (a: string) => (isAction(a) ? msg(locale, `grants.actions.${a}`) : a);
  switch (p.code) {
    case 'schema':
      return msg(locale, 'grants.problems.schema', { where: p.path, reason: p.message });
    case 'tooDeep':
      return msg(locale, 'grants.problems.tooDeep', { action: action(p.action), max: p.max });
    case 'unknownField':
      return msg(locale, 'grants.problems.unknownField', { action: action(p.action), field: p.field });
    case 'encryptedField':
      return msg(locale, 'grants.problems.encryptedField', { action: action(p.action), field: field(p.field) });
    case 'hiddenField':
      return msg(locale, 'grants.problems.hiddenField', { action: action(p.action), field: field(p.field) });
    case 'unknownFieldMode':
      return msg(locale, 'grants.problems.unknownFieldMode', { field: p.field });
  }
}

/** JSON with object keys sorted: jsonb does not keep key order, so equal grants must compare equal. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export const sameGrant = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);
