/**
 * The second wall (issue 6 item 9; DESIGN.md "Database roles"): the application's database role
 * and row-level security on `records`.
 *
 * - `formwarden_app`: no login, no superuser, no BYPASSRLS, owns nothing. Every operation's
 *   transaction switches to it (lib/auth/principal.ts, lib/operation.ts), so PostgreSQL itself
 *   refuses what the role was not granted: audit events can be read and appended, never changed.
 * - RLS on `records`, ENABLEd and FORCEd (the owner obeys too unless it is a superuser), with
 *   policies that compute the caller's scope from the grants tables in SQL, independently of the
 *   application's scope compiler: a bug there cannot widen what the database returns. The caller
 *   is `app.user_id`, set per transaction by the principal's statement.
 * - Privileged statistics (counts the publish checks and the example removal need over every
 *   record of a form) as SECURITY DEFINER functions that return counts and yes/no only, for
 *   administrators and the system.
 * - Stored grants move to the new vocabulary: a mode for every field.
 *
 * Migrations never import app code: the semantics below restate lib/policy/scope.ts's header
 * (and decide.ts's rules for invalid grants and conditions) on purpose, as an independent
 * implementation. Roles are cluster-wide: several databases of one server (the test databases)
 * share `formwarden_app`, so creating it tolerates that it exists or is being created.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

/** The application's database role (docs/operations.md, "Database roles"). */
export const APP_ROLE = 'formwarden_app';
/** The system principal's id (lib/auth/principal.ts SYSTEM_USER_ID): sees and writes every record. */
const SYSTEM_ID = '00000000-0000-0000-0000-000000000000';

/** What the role may do, table by table: exactly what the code does (no DELETE where nothing deletes). */
const tablePrivileges: Record<string, string> = {
  departments: 'select, insert, update, delete',
  users: 'select, insert, update, delete',
  groups: 'select, insert, update, delete',
  group_members: 'select, insert, delete',
  forms: 'select, insert, update, delete',
  form_versions: 'select, insert',
  grants: 'select, insert, update, delete',
  // Hard deletes are admin purges through fw_rls.purge_form_records (below), never the role's own.
  records: 'select, insert, update',
  sessions: 'select, insert, update',
  api_tokens: 'select, insert, update',
  auth_throttle: 'select, insert, update, delete',
  // Append-only: read and append, never update, delete or truncate.
  audit_events: 'select, insert',
  settings: 'select, insert, update, delete',
  encryption_keys: 'select, insert',
};

/** The policy helpers; executable by everyone (policies run as the querying role). */
const helpers: RawBuilder<unknown>[] = [
  // The caller of this transaction, or null (anonymous, or a malformed setting).
  sql`create function fw_rls.me() returns uuid language sql stable as $$
    select case when current_setting('app.user_id', true) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then current_setting('app.user_id', true)::uuid end $$`,
  sql`create function fw_rls.is_system() returns boolean language sql stable as $$
    select coalesce(fw_rls.me() = ${sql.lit(SYSTEM_ID)}::uuid, false) $$`,
  // A disabled user is nobody: no department, no groups.
  sql`create function fw_rls.my_department() returns uuid language plpgsql stable as $$
    begin
      return (select u.department_id from public.users u where u.id = fw_rls.me() and u.status = 'active');
    end $$`,
  // The caller's department and every one below it (UNION, so even a cycle terminates).
  sql`create function fw_rls.my_tree() returns uuid[] language plpgsql stable as $$
    begin
      return coalesce((
        with recursive tree(id) as (
          select u.department_id from public.users u where u.id = fw_rls.me() and u.status = 'active' and u.department_id is not null
          union
          select d.id from public.departments d join tree t on d.parent_id = t.id)
        select array_agg(id) from tree), '{}');
    end $$`,
  sql`create function fw_rls.department_of(p_user uuid) returns uuid language plpgsql stable as $$
    begin
      return (select u.department_id from public.users u where u.id = p_user);
    end $$`,

  // --- grant validity: the grant schema (lib/policy/vocabulary.ts) restated; anything else is invalid.
  sql`create function fw_rls.literal_valid(v jsonb) returns boolean language sql immutable as $$
    select case jsonb_typeof(v) when 'string' then char_length(v #>> '{}') <= 200 when 'number' then true when 'boolean' then true else false end $$`,
  // A condition nested inside \`depth\` all/any/not; at most 4 levels (MAX_CONDITION_DEPTH).
  sql`create function fw_rls.condition_valid(c jsonb, depth integer) returns boolean language plpgsql immutable as $$
    declare
      n integer;
      op text;
      items jsonb;
    begin
      if jsonb_typeof(c) is distinct from 'object' then return false; end if;
      select count(*) into n from jsonb_object_keys(c);
      if c ? 'all' or c ? 'any' then
        items := coalesce(c->'all', c->'any');
        if n <> 1 or depth >= 4 or jsonb_typeof(items) <> 'array' or jsonb_array_length(items) not between 1 and 20 then return false; end if;
        return not exists (select 1 from jsonb_array_elements(items) x where not fw_rls.condition_valid(x, depth + 1));
      end if;
      if c ? 'not' then
        if n <> 1 or depth >= 4 then return false; end if;
        return fw_rls.condition_valid(c->'not', depth + 1);
      end if;
      if n <> 2 or jsonb_typeof(c->'field') is distinct from 'string'
         or not ((c->>'field') ~ '^(\\$owner|\\$department|[a-zA-Z][a-zA-Z0-9_]{0,62})$') then
        return false;
      end if;
      select k into op from jsonb_object_keys(c) k where k <> 'field';
      if op in ('eq', 'ne') then return fw_rls.literal_valid(c->op); end if;
      if op = 'in' then
        return jsonb_typeof(c->'in') = 'array' and jsonb_array_length(c->'in') between 1 and 100
           and not exists (select 1 from jsonb_array_elements(c->'in') x where not fw_rls.literal_valid(x));
      end if;
      if op in ('gt', 'gte', 'lt', 'lte') then return jsonb_typeof(c->op) = 'number'; end if;
      return false;
    end $$`,
  sql`create function fw_rls.scope_valid(s jsonb) returns boolean language sql immutable as $$
    select case when jsonb_typeof(s) = 'string' then (s #>> '{}') in ('own', 'department', 'department-tree', 'all')
                else fw_rls.condition_valid(s, 0) end $$`,
  sql`create function fw_rls.grant_valid(g jsonb) returns boolean language plpgsql immutable as $$
    declare
      a record;
    begin
      if jsonb_typeof(g) is distinct from 'object' or jsonb_typeof(g->'actions') is distinct from 'object' then return false; end if;
      if exists (select 1 from jsonb_object_keys(g) k where k not in ('actions', 'fields')) then return false; end if;
      for a in select key, value from jsonb_each(g->'actions') loop
        if jsonb_typeof(a.value) <> 'object' then return false; end if;
        if a.key in ('create', 'import') then
          if exists (select 1 from jsonb_object_keys(a.value)) then return false; end if;
        elsif a.key in ('view', 'edit', 'delete', 'export', 'assign') then
          if exists (select 1 from jsonb_object_keys(a.value) k where k <> 'scope') or not fw_rls.scope_valid(a.value->'scope') then return false; end if;
        elsif a.key = 'reveal' then
          if exists (select 1 from jsonb_object_keys(a.value) k where k not in ('scope', 'reason'))
             or not fw_rls.scope_valid(a.value->'scope')
             or (a.value ? 'reason' and jsonb_typeof(a.value->'reason') <> 'boolean') then
            return false;
          end if;
        else
          return false; -- an unknown action
        end if;
      end loop;
      if g ? 'fields' then
        if jsonb_typeof(g->'fields') <> 'object' then return false; end if;
        if exists (select 1 from jsonb_each(g->'fields') f
                   where not (f.key ~ '^(\\*|[a-zA-Z][a-zA-Z0-9_]{0,62})$')
                      or jsonb_typeof(f.value) <> 'string'
                      or (f.value #>> '{}') not in ('hidden', 'masked', 'read', 'write-on-create', 'write')) then
          return false;
        end if;
      end if;
      return true;
    exception when others then
      return false; -- whatever cannot be checked grants nothing
    end $$`,

  // --- the caller's scopes, one small indexed query each, evaluated once per statement as initplans.
  // Forms on which a valid grant of the caller gives p_action with the named scope p_kind
  // ('all', 'own', 'department', 'department-tree'), with a condition ('condition'), or at all
  // ('granted', for create and import, which carry no scope).
  sql`create function fw_rls.forms_with(p_action text, p_kind text) returns uuid[] language plpgsql stable as $$
    begin
      return coalesce((
        select array_agg(distinct g.form_id)
        from public.group_members gm
        join public.users u on u.id = gm.user_id and u.status = 'active'
        join public.grants g on g.group_id = gm.group_id
        where gm.user_id = fw_rls.me() and g.rls_valid
          and case p_kind
                when 'granted' then g."grant"->'actions' ? p_action
                when 'condition' then jsonb_typeof(g."grant"->'actions'->p_action->'scope') = 'object'
                else jsonb_typeof(g."grant"->'actions'->p_action->'scope') = 'string'
                     and (g."grant"->'actions'->p_action->>'scope') = p_kind
              end), '{}');
    end $$`,
  // eq as a jsonpath predicate that is never "unknown": same JSON type and equal (1 = 1.0). An
  // operand that stands for nothing ($myDepartment without a department) makes it false
  // (\`1 == 0\`: a bare \`false\` is a value, not a predicate, inside && || !).
  sql`create function fw_rls.eq_path(target text, operand jsonb, me uuid, my_department uuid) returns text language plpgsql immutable as $$
    declare
      o jsonb := case when operand = '"$me"' then to_jsonb(me::text)
                      when operand = '"$myDepartment"' then to_jsonb(my_department::text)
                      else operand end;
    begin
      if o is null or jsonb_typeof(o) not in ('string', 'number', 'boolean') then return '(1 == 0)'; end if;
      return '(' || target || '.type() == "' || jsonb_typeof(o) || '" && ' || target || ' == ' || o::text || ')';
    end $$`,
  // One grant's condition as a jsonpath predicate over the record's values, with $o (owner) and
  // $d (department); null when it cannot be evaluated as written (a field unknown to the
  // published form, hidden to this grant, or encrypted): that grant's scope is then false, never
  // "false in this branch" (under a \`not\` that would widen it).
  sql`create function fw_rls.condition_path(c jsonb, props jsonb, g jsonb, me uuid, my_department uuid) returns text language plpgsql immutable as $$
    declare
      part text;
      parts text[] := '{}';
      k text;
      op text;
      mode text;
      target text;
    begin
      if c ? 'all' or c ? 'any' then
        for part in select fw_rls.condition_path(x, props, g, me, my_department) from jsonb_array_elements(coalesce(c->'all', c->'any')) x loop
          if part is null then return null; end if;
          parts := parts || part;
        end loop;
        if cardinality(parts) = 0 then return null; end if;
        return '(' || array_to_string(parts, case when c ? 'all' then ' && ' else ' || ' end) || ')';
      end if;
      if c ? 'not' then
        part := fw_rls.condition_path(c->'not', props, g, me, my_department);
        return case when part is null then null else '!(' || part || ')' end;
      end if;
      k := c->>'field';
      select key into op from jsonb_object_keys(c) key where key <> 'field';
      if k = '$owner' then
        target := '$o';
      elsif k = '$department' then
        target := '$d';
      else
        if jsonb_typeof(props->k) is distinct from 'object' then return null; end if;
        mode := coalesce(case when jsonb_typeof(g->'fields') = 'object' then coalesce(g->'fields'->>k, g->'fields'->>'*') end, 'hidden');
        if mode not in ('masked', 'read', 'write-on-create', 'write') then return null; end if;
        if (props->k->>'x-widget') = 'owner' then
          target := '$o';
        elsif coalesce(props->k->'x-encrypted', 'false'::jsonb) <> 'false'::jsonb then
          return null;
        else
          target := '$.' || to_jsonb(k)::text;
        end if;
      end if;
      if op = 'eq' then return fw_rls.eq_path(target, c->'eq', me, my_department); end if;
      if op = 'ne' then return '!' || fw_rls.eq_path(target, c->'ne', me, my_department); end if;
      if op = 'in' then
        select array_agg(fw_rls.eq_path(target, x, me, my_department)) into parts from jsonb_array_elements(c->'in') x;
        return '(' || array_to_string(parts, ' || ') || ')';
      end if;
      if op in ('gt', 'gte', 'lt', 'lte') then
        if jsonb_typeof(c->op) <> 'number' then return '(1 == 0)'; end if;
        return '(' || target || '.type() == "number" && ' || target || ' '
          || case op when 'gt' then '>' when 'gte' then '>=' when 'lt' then '<' else '<=' end || ' ' || (c->op)::text || ')';
      end if;
      return null;
    end $$`,
  // Every condition grant of the caller for p_action, as one predicate: ($f == form && cond) || …
  sql`create function fw_rls.condition_paths(p_action text) returns jsonpath language plpgsql stable as $$
    declare
      me uuid := fw_rls.me();
      dept uuid := fw_rls.my_department();
      r record;
      p text;
      parts text[] := '{}';
    begin
      for r in
        select g.form_id, g."grant" as g, fv.schema->'properties' as props
        from public.group_members gm
        join public.users u on u.id = gm.user_id and u.status = 'active'
        join public.grants g on g.group_id = gm.group_id
        join public.forms f on f.id = g.form_id
        left join public.form_versions fv on fv.form_id = f.id and fv.version = f.published_version
        where gm.user_id = me and g.rls_valid and jsonb_typeof(g."grant"->'actions'->p_action->'scope') = 'object'
      loop
        p := fw_rls.condition_path(r.g->'actions'->p_action->'scope', case when jsonb_typeof(r.props) = 'object' then r.props else '{}' end, r.g, me, dept);
        if p is not null then parts := parts || ('($f == "' || r.form_id::text || '" && ' || p || ')'); end if;
      end loop;
      if cardinality(parts) = 0 then return '1 == 0'::jsonpath; end if;
      return array_to_string(parts, ' || ')::jsonpath;
    end $$`,
];

/**
 * How the policies read the row's form, owner and department as jsonpath variables ($f, $o, $d)
 * for condition grants: built per row here; 2026-12-02-0004 reads them from a stored column.
 */
export const FACTS_BUILT_PER_ROW = `jsonb_build_object('f', "form_id", 'o', "owner_id", 'd', "department_id")`;

/**
 * The records an action's scope covers, for the row the policy looks at. Each `(select …)` is
 * an initplan: computed at most once per statement, and only when a row needs it; per row only
 * array membership and, for condition grants, one jsonpath match.
 */
function scopeOf(action: 'view' | 'edit' | 'delete' | 'assign', facts: string): RawBuilder<unknown> {
  // The cast keeps `= any ((select …))` an array expression, not ANY over a subquery's rows.
  const forms = (kind: string) => `(select fw_rls.forms_with('${action}', '${kind}'))::uuid[]`;
  return sql.raw(`(
    "form_id" = any (${forms('all')})
    or ("owner_id" = (select fw_rls.me()) and "form_id" = any (${forms('own')}))
    or ("department_id" = (select fw_rls.my_department()) and "form_id" = any (${forms('department')}))
    or ("department_id" = any ((select fw_rls.my_tree())::uuid[]) and "form_id" = any (${forms('department-tree')}))
    or ("form_id" = any (${forms('condition')})
        and jsonb_path_match("values", (select fw_rls.condition_paths('${action}')), ${facts}, true)))`);
}
const system = sql.raw('(select fw_rls.is_system())');

/** The records policies' expressions, reading the row's facts for conditions through `facts`. */
export function recordPolicies(facts: string) {
  const scope = (action: 'view' | 'edit' | 'delete' | 'assign') => scopeOf(action, facts);
  return {
    selectUsing: sql`${system} or ${scope('view')}`,
    // A new record: the caller's own, in the caller's department, on a form they may create on or
    // import into; or one inside their assign scope, stamped with its owner's department.
    insertCheck: sql`
      ${system}
      or ("owner_id" = (select fw_rls.me())
          and "department_id" is not distinct from (select fw_rls.my_department())
          and "form_id" = any ((select fw_rls.forms_with('create', 'granted'))::uuid[] || (select fw_rls.forms_with('import', 'granted'))::uuid[]))
      or (${scope('assign')} and "department_id" is not distinct from fw_rls.department_of("owner_id"))`,
    // Soft delete and restore are updates too. The row after the change stays where the caller may
    // write it (or hand it over to); PostgreSQL also holds it to the SELECT policy.
    updateUsing: sql`${system} or (${scope('view')} and (${scope('edit')} or ${scope('delete')}))`,
    updateCheck: sql`${system} or ${scope('edit')} or ${scope('delete')} or ${scope('assign')}`,
  };
}

/**
 * The privileged counters that tell sealed values from plain ones. `isSealed` turns a text
 * expression into the test "this is a cipher token"; a later migration that adds a cipher suite
 * (2026-12-02-0007, SM4) re-creates them with its wider test.
 */
export function sealedValueCounters(create: 'create' | 'create or replace', isSealed: (text: string) => string): RawBuilder<unknown>[] {
  const verb = sql.raw(create);
  const sealed = (text: string) => sql.raw(`(${isSealed(text)})`);
  return [
    // Per field ({key: jsonb type}), records (live or deleted) holding a plain value of another type.
    sql`${verb} function fw_rls.count_values_of_other_type(p_form uuid, p_types jsonb) returns jsonb language plpgsql
        security definer set search_path = pg_catalog, public, pg_temp as $$
      declare
        caller text := fw_rls.enter_privileged();
        result jsonb;
      begin
        select coalesce(jsonb_object_agg(t.key, coalesce(c.n, 0)), '{}') into result
        from jsonb_each_text(p_types) t(key, type)
        left join (
          select f.key, count(*)::int as n
          from public.records r cross join jsonb_each_text(p_types) f(key, type)
          where r.form_id = p_form
            and jsonb_typeof(r."values"->f.key) not in ('null', f.type)
            and not (jsonb_typeof(r."values"->f.key) = 'string' and ${sealed('(r."values"->>f.key)')})
          group by f.key) c on c.key = t.key;
        perform set_config('app.user_id', caller, true);
        return result;
      end $$`,
    // Per key, records (live or deleted) holding a sealed value there.
    sql`${verb} function fw_rls.count_sealed_values(p_form uuid, p_keys text[]) returns jsonb language plpgsql
        security definer set search_path = pg_catalog, public, pg_temp as $$
      declare
        caller text := fw_rls.enter_privileged();
        result jsonb;
      begin
        select coalesce(jsonb_object_agg(k.key, coalesce(c.n, 0)), '{}') into result
        from unnest(p_keys) k(key)
        left join (
          select f.key, count(*)::int as n from public.records r cross join unnest(p_keys) f(key)
          where r.form_id = p_form and ${sealed('(r."values"->>f.key)')} group by f.key) c on c.key = k.key;
        perform set_config('app.user_id', caller, true);
        return result;
      end $$`,
    // Per key, records (live or deleted) holding a value there that is not sealed.
    sql`${verb} function fw_rls.count_plain_values(p_form uuid, p_keys text[]) returns jsonb language plpgsql
        security definer set search_path = pg_catalog, public, pg_temp as $$
      declare
        caller text := fw_rls.enter_privileged();
        result jsonb;
      begin
        select coalesce(jsonb_object_agg(k.key, coalesce(c.n, 0)), '{}') into result
        from unnest(p_keys) k(key)
        left join (
          select f.key, count(*)::int as n from public.records r cross join unnest(p_keys) f(key)
          where r.form_id = p_form and (r."values"->>f.key) is not null and not ${sealed('(r."values"->>f.key)')} group by f.key) c on c.key = k.key;
        perform set_config('app.user_id', caller, true);
        return result;
      end $$`,
  ];
}

/** Privileged statistics: counts and yes/no over all records of a form, for administrators and the system. */
const privileged: RawBuilder<unknown>[] = [
  // Run inside the functions below (as the owner): refuses anyone but an active admin or the
  // system, then lets the owner's statement see every record (FORCEd RLS applies to a
  // non-superuser owner too) and returns the caller's id for the function to put back.
  // An error in between rolls the setting back with the (sub)transaction.
  // No SET clause of its own: it runs inside the callers' pinned search_path, and its setting
  // must outlive it (only a SET clause's own variable is restored when a function returns).
  sql`create function fw_rls.enter_privileged() returns text language plpgsql as $$
    declare
      caller text := coalesce(current_setting('app.user_id', true), '');
    begin
      if not (fw_rls.is_system() or exists (select 1 from public.users u where u.id = fw_rls.me() and u.is_admin and u.status = 'active')) then
        raise exception 'record statistics are for administrators' using errcode = 'insufficient_privilege';
      end if;
      perform set_config('app.user_id', ${sql.lit(SYSTEM_ID)}, true);
      return caller;
    end $$`,
  ...sealedValueCounters('create', (text) => `${text} like 'fw1.%'`),
  // Whether a record outside p_form (live or deleted) is owned or was created by one of p_users.
  sql`create function fw_rls.any_record_of_users_outside(p_form uuid, p_users uuid[]) returns boolean language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
      found_one boolean;
    begin
      select exists (select 1 from public.records r where r.form_id <> p_form and (r.owner_id = any (p_users) or r.created_by = any (p_users))) into found_one;
      perform set_config('app.user_id', caller, true);
      return found_one;
    end $$`,
  // The departments among p_departments that some record (live or deleted) belongs to.
  sql`create function fw_rls.departments_with_records(p_departments uuid[]) returns uuid[] language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
      ids uuid[];
    begin
      select coalesce(array_agg(d.id), '{}') into ids from unnest(p_departments) d(id)
      where exists (select 1 from public.records r where r.department_id = d.id);
      perform set_config('app.user_id', caller, true);
      return ids;
    end $$`,
  // Deletes every record of a form for good (before the form itself goes); how many.
  sql`create function fw_rls.purge_form_records(p_form uuid) returns integer language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
      n integer;
    begin
      delete from public.records r where r.form_id = p_form;
      get diagnostics n = row_count;
      perform set_config('app.user_id', caller, true);
      return n;
    end $$`,
];
const privilegedSignatures = [
  'fw_rls.count_values_of_other_type(uuid, jsonb)',
  'fw_rls.count_sealed_values(uuid, text[])',
  'fw_rls.count_plain_values(uuid, text[])',
  'fw_rls.any_record_of_users_outside(uuid, uuid[])',
  'fw_rls.departments_with_records(uuid[])',
  'fw_rls.purge_form_records(uuid)',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const role = sql.id(APP_ROLE);
  // Cluster-wide and idempotent; another database of the same server may be creating it right now.
  await sql`
    do $$
    begin
      if not exists (select from pg_roles where rolname = ${sql.lit(APP_ROLE)}) then
        begin
          create role ${role} nologin nosuperuser nobypassrls noinherit;
        exception
          when duplicate_object or unique_violation then null;
          when insufficient_privilege then
            raise exception 'The database role % is missing and % may not create roles. As a superuser run: create role % nologin nosuperuser nobypassrls noinherit; grant % to %;',
              ${sql.lit(APP_ROLE)}, current_user, ${sql.lit(APP_ROLE)}, ${sql.lit(APP_ROLE)}, current_user;
        end;
      end if;
      -- A non-superuser owner (production) switches to the role per transaction: it must be a member.
      if not (select rolsuper from pg_roles where rolname = current_user) and not pg_has_role(current_user, ${sql.lit(APP_ROLE)}, 'member') then
        begin
          execute format('grant %I to %I', ${sql.lit(APP_ROLE)}, current_user);
        exception when insufficient_privilege then
          raise exception '% must be a member of % to run operations as it. As a superuser run: grant % to %;',
            current_user, ${sql.lit(APP_ROLE)}, ${sql.lit(APP_ROLE)}, current_user;
        end;
      end if;
    end $$`.execute(db);

  for (const [table, privileges] of Object.entries(tablePrivileges)) {
    await sql`grant ${sql.raw(privileges)} on ${sql.table(table)} to ${role}`.execute(db);
  }

  await sql`create schema fw_rls`.execute(db);
  await sql`grant usage on schema fw_rls to ${role}`.execute(db);
  for (const f of helpers) await f.execute(db);

  // Validity is a property of the grant alone: computed once when it is written, not per statement.
  // (A later change to fw_rls.grant_valid must recompute it: update grants set "grant" = "grant".)
  await sql`alter table grants add column rls_valid boolean generated always as (fw_rls.grant_valid("grant")) stored`.execute(db);
  // What the policies read: grants by group, group members by user (exists), departments by parent.
  await sql`create index grants_group_idx on grants (group_id)`.execute(db);
  await sql`create index departments_parent_idx on departments (parent_id)`.execute(db);

  // Old grants had no field modes; the new vocabulary hides a field named nowhere. Nobody loses
  // what they saw: whoever could create or edit writes every field, the others read them.
  await sql`
    update grants set "grant" = "grant" || jsonb_build_object('fields',
      case when ("grant"->'actions') ? 'create' or ("grant"->'actions') ? 'edit' then '{"*":"write"}'::jsonb else '{"*":"read"}'::jsonb end)
    where jsonb_typeof("grant") = 'object' and jsonb_typeof("grant"->'actions') = 'object' and not ("grant" ? 'fields')`.execute(db);

  await sql`alter table records enable row level security`.execute(db);
  await sql`alter table records force row level security`.execute(db);
  const p = recordPolicies(FACTS_BUILT_PER_ROW);
  // For every role (the owner too, under FORCE; a superuser bypasses). The system sees and writes all.
  await sql`create policy records_select on records for select using (${p.selectUsing})`.execute(db);
  await sql`create policy records_insert on records for insert with check (${p.insertCheck})`.execute(db);
  await sql`create policy records_update on records for update using (${p.updateUsing}) with check (${p.updateCheck})`.execute(db);
  // Hard deletes: admin purges (fw_rls.purge_form_records) and the system only.
  await sql`create policy records_delete on records for delete using (${system})`.execute(db);

  for (const f of privileged) await f.execute(db);
  await sql`revoke all on function fw_rls.enter_privileged() from public`.execute(db);
  for (const signature of privilegedSignatures) {
    await sql`revoke all on function ${sql.raw(signature)} from public`.execute(db);
    await sql`grant execute on function ${sql.raw(signature)} to ${role}`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const policy of ['records_select', 'records_insert', 'records_update', 'records_delete']) {
    await sql`drop policy if exists ${sql.id(policy)} on records`.execute(db);
  }
  await sql`alter table records no force row level security`.execute(db);
  await sql`alter table records disable row level security`.execute(db);
  // Back to what the old grant schema accepts (view/create/edit/delete; own/department/all; no
  // field modes): anything else is dropped, never widened.
  await sql`
    update grants set "grant" = jsonb_build_object('actions', coalesce((
      select jsonb_object_agg(a.key, case when a.key = 'create' then '{}'::jsonb else jsonb_build_object('scope', a.value->'scope') end)
      from jsonb_each("grant"->'actions') a
      where jsonb_typeof(a.value) = 'object'
        and (a.key = 'create' or (a.key in ('view', 'edit', 'delete') and jsonb_typeof(a.value->'scope') = 'string'
                                  and (a.value->>'scope') in ('own', 'department', 'all')))), '{}'::jsonb))
    where jsonb_typeof("grant"->'actions') = 'object'`.execute(db);
  await sql`drop index if exists departments_parent_idx`.execute(db);
  await sql`drop index if exists grants_group_idx`.execute(db);
  await sql`alter table grants drop column if exists rls_valid`.execute(db);
  await sql`drop schema if exists fw_rls cascade`.execute(db);
  for (const table of Object.keys(tablePrivileges)) {
    await sql`revoke all on ${sql.table(table)} from ${sql.id(APP_ROLE)}`.execute(db);
  }
  // The role stays: it is cluster-wide, and other databases on the same server may use it.
}
