/**
 * Loads a published form together with the caller's grants on it, in one
 * round trip. A form the caller holds no grant on is "not found", so its
 * existence does not leak.
 */
import 'server-only';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import type { Principal } from '@/lib/auth/principal';
import { decideAll, type Decisions } from '@/lib/policy/grants';
import { fieldCrypto, type FieldCrypto } from '@/lib/crypto/keyring';
import { UUID_PATTERN } from '@/lib/forms/ajv';

export interface FormAccess {
  formId: string;
  name: string;
  description: string;
  version: number;
  definition: FormDefinition;
  /** The fields in display order, computed once per request. */
  fields: FieldInfo[];
  grants: unknown[];
  /** Key of the field bound to the record's owner, if the form has one. */
  ownerKey: string | undefined;
  /** Seals and opens encrypted fields for this request. */
  crypto: FieldCrypto;
  /** Policy decisions per action, made once per request. */
  decisions: Decisions;
}

interface Row {
  id: string;
  name: string;
  description: string;
  published_version: number;
  schema: FormDefinition;
  grants: unknown[];
}

export const formNotFound = (locale: Locale) =>
  new AppError('not_found', msg(locale, 'errors.records.formNotFound'));

/**
 * The published form and the caller's grants on it, as one JSON value. Used
 * as the operation's `prefetch`, so it rides in the principal's statement
 * (`u` is the signed-in user there).
 */
export function formAccessPrefetch(input: { formId?: unknown }): RawBuilder<unknown> | undefined {
  const formId = input?.formId;
  if (typeof formId !== 'string' || !UUID_PATTERN.test(formId)) return undefined;
  return sql`json_build_object('requested', ${formId}::text, 'form',
    (select json_build_object('id', f.id, 'name', f.name, 'description', f.description,
              'published_version', f.published_version, 'schema', fv.schema,
              'grants', coalesce((select json_agg(g.grant) from grants g where g.form_id = f.id
                                  and g.group_id in (select gm.group_id from group_members gm where gm.user_id = u.id)), '[]'::json))
     from forms f join form_versions fv on fv.form_id = f.id and fv.version = f.published_version
     where f.id = ${formId}::uuid and f.archived_at is null))`;
}

export async function loadFormAccess(ctx: { db: Transaction<DB>; principal: Principal; prefetched?: unknown }, formId: string): Promise<FormAccess> {
  const { db: trx, principal } = ctx;
  const prefetched = ctx.prefetched as { requested: string; form: Row | null } | undefined;
  // The operation must have declared `prefetch: formAccessPrefetch` for this form.
  if (prefetched?.requested !== formId) throw new Error(`Form ${formId} was not prefetched by the operation`);
  const row = prefetched.form;
  const grants = row?.grants ?? [];
  if (!row || grants.length === 0) throw formNotFound(principal.locale);
  const fields = fieldsOf(row.schema);
  return {
    formId: row.id,
    name: row.name,
    description: row.description,
    version: row.published_version,
    definition: row.schema,
    fields,
    grants,
    decisions: decideAll(grants),
    ownerKey: fields.find((f) => f.kind === 'owner')?.key,
    crypto: await fieldCrypto(trx),
  };
}
