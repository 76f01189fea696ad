/**
 * Puts a decision's explanation into words: "张三 可以看到此记录的 手机号（脱敏），因为用户组
 * 客服，范围 全部". It only words what lib/policy's explain() answered (never re-evaluates a
 * grant), so the sentence an admin reads is the decision the operations enforce.
 *
 * Pure: the explain panel renders these sentences in the browser, and the access-review CSV
 * words its scope cells on the server, with the same functions.
 */
import { msg, type Locale } from '@/lib/i18n';
import type { ActionExplanation, FieldExplanation, FieldMode, GrantCondition, GrantRef, GrantScope } from '@/lib/policy';

export interface Wording {
  locale: Locale;
  /** Whose decision it is. */
  userName: string;
  /** The form's fields, for their titles (a condition names keys). */
  fields: readonly { key: string; title: string }[];
  /** The sentence is about one record rather than the whole form. */
  onRecord: boolean;
  /** Names of departments and users a condition may compare with, by id. */
  names?: Readonly<Record<string, string>>;
}

const titleOf = (w: Wording, key: string) => w.fields.find((f) => f.key === key)?.title ?? key;

function valueText(w: Wording, v: string | number | boolean): string {
  if (v === '$me') return msg(w.locale, 'access.condition.me');
  if (v === '$myDepartment') return msg(w.locale, 'access.condition.myDepartment');
  if (typeof v === 'string') return w.names?.[v] ?? v;
  return String(v);
}

const OPERATORS = ['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte'] as const;

function conditionText(w: Wording, c: GrantCondition, nested: boolean): string {
  const wrap = (s: string) => (nested ? msg(w.locale, 'access.condition.group', { c: s }) : s);
  if ('all' in c) return c.all.length === 1 ? conditionText(w, c.all[0], nested) : wrap(c.all.map((x) => conditionText(w, x, true)).join(msg(w.locale, 'access.condition.and')));
  if ('any' in c) return c.any.length === 1 ? conditionText(w, c.any[0], nested) : wrap(c.any.map((x) => conditionText(w, x, true)).join(msg(w.locale, 'access.condition.or')));
  if ('not' in c) return msg(w.locale, 'access.condition.not', { c: conditionText(w, c.not, false) });
  const f =
    c.field === '$owner' ? msg(w.locale, 'access.condition.owner') : c.field === '$department' ? msg(w.locale, 'access.condition.department') : titleOf(w, c.field);
  for (const op of OPERATORS) {
    const v = c[op];
    if (v === undefined) continue;
    const text = Array.isArray(v) ? v.map((x) => valueText(w, x)).join(msg(w.locale, 'access.condition.list')) : valueText(w, v);
    return msg(w.locale, `access.condition.${op}`, { f, v: text });
  }
  return f;
}

/** A row scope as the admin wrote it: 本人 / 本部门 / … / the condition in words. Null: an action without a scope (create, import). */
export function scopeText(w: Wording, scope: GrantScope | null): string {
  if (scope === null) return msg(w.locale, 'access.scopes.none');
  if (scope === 'own' || scope === 'department' || scope === 'department-tree' || scope === 'all') return msg(w.locale, `access.scopes.${scope}`);
  if (typeof scope === 'string') return scope;
  return conditionText(w, scope, false);
}

export const modeText = (locale: Locale, mode: FieldMode): string => msg(locale, `access.modes.${mode}`);

const joinBecause = (w: Wording, parts: string[]) => parts.join(msg(w.locale, 'access.because.join'));

/** "用户组 客服，范围 全部；用户组 销售，范围 本人" */
export function becauseText(w: Wording, because: readonly { group: GrantRef; scope: GrantScope | null }[]): string {
  return joinBecause(
    w,
    because.map((b) =>
      b.scope === null ? msg(w.locale, 'access.because.group', { group: b.group.groupName }) : msg(w.locale, 'access.because.groupScope', { group: b.group.groupName, scope: scopeText(w, b.scope) }),
    ),
  );
}

/** One sentence on one action. */
export function actionSentence(w: Wording, a: ActionExplanation): string {
  const user = w.userName;
  const phrase = msg(w.locale, `access.phrases.${w.onRecord ? 'onRecord' : 'onForm'}.${a.action}`);
  if (a.allowed) return msg(w.locale, 'access.sentence.action', { user, phrase, because: becauseText(w, a.because) });
  // On a record, a grant may cover it for this action while no grant lets the user see it.
  if (w.onRecord && a.because.length) return msg(w.locale, 'access.sentence.actionNeedsView', { user, phrase, because: becauseText(w, a.because) });
  return msg(w.locale, w.onRecord ? 'access.sentence.noActionOnRecord' : 'access.sentence.noActionOnForm', { user, phrase });
}

/**
 * The sentences on one field: its mode and the groups that decide it (the most open mode
 * wins, so only grants giving that mode are named), then whether it may be revealed.
 */
export function fieldSentences(w: Wording, f: FieldExplanation): string[] {
  const user = w.userName;
  const field = titleOf(w, f.key);
  const where = msg(w.locale, w.onRecord ? 'access.sentence.whereRecord' : 'access.sentence.whereForm');
  if (f.mode === 'hidden') {
    if (f.because.length === 0) return [msg(w.locale, 'access.sentence.fieldHiddenNoView', { user, field, where })];
    const because = joinBecause(
      w,
      f.because.map((b) => msg(w.locale, 'access.because.groupMode', { group: b.group.groupName, mode: modeText(w.locale, b.mode) })),
    );
    return [msg(w.locale, 'access.sentence.fieldHiddenByGrants', { user, field, where, because })];
  }
  const deciding = deciders(f);
  const out = [
    msg(w.locale, w.onRecord ? 'access.sentence.fieldOnRecord' : 'access.sentence.fieldOnForm', {
      user,
      field,
      mode: modeText(w.locale, f.mode),
      because: becauseText(
        w,
        deciding.map((b) => ({ group: b.group, scope: b.viewScope })),
      ),
    }),
  ];
  if (f.revealable) {
    out.push(msg(w.locale, 'access.sentence.reveal', { user, field, reason: msg(w.locale, f.revealNeedsReason ? 'access.sentence.reasonRequired' : 'access.sentence.reasonWaived') }));
  }
  return out;
}

/**
 * The grants that give the field its mode. A grant's own `write` shows as read on a record it
 * does not also edit, and write-on-create as read on existing records: such a grant decides a
 * `read` answer too.
 */
function deciders(f: FieldExplanation): FieldExplanation['because'] {
  const shows = (m: FieldMode): FieldMode[] => (m === 'write' ? ['write', 'read'] : m === 'write-on-create' ? ['read'] : [m]);
  return f.because.filter((b) => shows(b.mode).includes(f.mode));
}
