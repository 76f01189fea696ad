/**
 * Explanations of a decision: which grants made it. Built from the same Decision the
 * operations use (never a second evaluator), so "why can 张三 see 手机号 masked" is answered
 * by exactly the logic that shows it masked. Pure: no I/O; the UI words it.
 */
import { actionsOnRow, modesOn, revealOn, type Decision, type GrantRef } from './decide';
import { covers, type RowFacts } from './scope';
import { recordActions, type FieldMode, type GrantScope, type RecordAction } from './vocabulary';
import { isValidGrant, grantMode, type GroupGrant } from './decide';

export interface ActionExplanation {
  action: RecordAction;
  allowed: boolean;
  /** The groups whose grant allows it (on the record, when one is given), each with its scope as written. */
  because: { group: GrantRef; scope: GrantScope | null }[];
}

export interface FieldExplanation {
  key: string;
  mode: FieldMode;
  revealable: boolean;
  revealNeedsReason: boolean;
  /** Every grant that gives the field a mode (on the record, when one is given): the most open one decides. */
  because: { group: GrantRef; mode: FieldMode; viewScope: GrantScope | null }[];
}

export interface Explanation {
  actions: ActionExplanation[];
  fields: FieldExplanation[];
}

const scopeAsWritten = (g: GroupGrant, action: RecordAction): GrantScope | null =>
  isValidGrant(g.grant) ? (((g.grant.actions as Record<string, { scope?: GrantScope } | undefined>)[action]?.scope as GrantScope | undefined) ?? null) : null;

/**
 * `grants` are the same stored grants the decision was made from (for the scopes as the
 * admin wrote them); `row` narrows the answer to one record.
 */
export function explain(d: Decision, grants: readonly GroupGrant[], row?: RowFacts): Explanation {
  const stored = new Map(grants.map((g) => [g.groupId, g]));
  const onRow = row ? actionsOnRow(d, row) : undefined;
  const actions = recordActions.map((action): ActionExplanation => {
    const a = d.actions[action];
    const grantsFor = d.grants.filter((g) => g.allows.has(action) && (!row || !g.scopes[action as 'view'] || covers(g.scopes[action as 'view']!, row, d.me)));
    return {
      action,
      allowed: onRow ? onRow[action] : a.allowed,
      because: grantsFor.map((g) => ({ group: g.ref, scope: scopeAsWritten(stored.get(g.ref.groupId)!, action) })),
    };
  });
  const modes = row ? modesOn(d, row) : d.ceiling;
  const fields = d.fields.map((f): FieldExplanation => {
    const reveal = row ? revealOn(d, row, f.key) : undefined;
    const viewers = d.grants.filter((g) => g.scopes.view && (!row || covers(g.scopes.view, row, d.me)));
    return {
      key: f.key,
      mode: modes[f.key],
      revealable: reveal ? reveal.allowed : d.grants.some((g) => g.scopes.reveal && g.modes[f.key] === 'masked') && modes[f.key] === 'masked',
      revealNeedsReason: reveal ? reveal.reasonRequired : true,
      because: viewers.map((g) => {
        const s = stored.get(g.ref.groupId)!;
        return { group: g.ref, mode: isValidGrant(s.grant) ? grantMode(s.grant, f.key) : 'hidden', viewScope: scopeAsWritten(s, 'view') };
      }),
    };
  });
  return { actions, fields };
}
