/**
 * The policies' helpers read the caller once per call, not once per row.
 *
 * `fw_rls.me()` parses `app.user_id` (a regular expression, then a cast). Written inline in a
 * helper's query (`where gm.user_id = fw_rls.me()`), PostgreSQL evaluated it for every row of
 * every table the query scanned: each helper took ~0.4 ms where ~0.05 ms is its real work, and
 * a records list pays for four to eight helper calls (twice: once for the page, once for the
 * total). Each helper now reads the caller into a variable first and hands the query a plain
 * parameter. Same semantics as 2026-12-02-0001-app-role-and-rls; only the evaluation moves.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

/** The helpers, reading the caller once per call. */
const current: RawBuilder<unknown>[] = [
  // A disabled user is nobody: no department, no groups.
  sql`create or replace function fw_rls.my_department() returns uuid language plpgsql stable as $$
    declare
      me uuid := fw_rls.me();
    begin
      return (select u.department_id from public.users u where u.id = me and u.status = 'active');
    end $$`,
  // The caller's department and every one below it (UNION, so even a cycle terminates).
  sql`create or replace function fw_rls.my_tree() returns uuid[] language plpgsql stable as $$
    declare
      me uuid := fw_rls.me();
    begin
      return coalesce((
        with recursive tree(id) as (
          select u.department_id from public.users u where u.id = me and u.status = 'active' and u.department_id is not null
          union
          select d.id from public.departments d join tree t on d.parent_id = t.id)
        select array_agg(id) from tree), '{}');
    end $$`,
  sql`create or replace function fw_rls.forms_with(p_action text, p_kind text) returns uuid[] language plpgsql stable as $$
    declare
      me uuid := fw_rls.me();
    begin
      return coalesce((
        select array_agg(distinct g.form_id)
        from public.group_members gm
        join public.users u on u.id = gm.user_id and u.status = 'active'
        join public.grants g on g.group_id = gm.group_id
        where gm.user_id = me and g.rls_valid
          and case p_kind
                when 'granted' then g."grant"->'actions' ? p_action
                when 'condition' then jsonb_typeof(g."grant"->'actions'->p_action->'scope') = 'object'
                else jsonb_typeof(g."grant"->'actions'->p_action->'scope') = 'string'
                     and (g."grant"->'actions'->p_action->>'scope') = p_kind
              end), '{}');
    end $$`,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of current) await statement.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(_db: Kysely<any>): Promise<void> {
  // Nothing to undo: the helpers answer exactly as before, only faster; going further down,
  // 2026-12-02-0001's own down drops them with the fw_rls schema.
}
