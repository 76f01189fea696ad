/**
 * Loads a published form together with the caller's grants on it, in one
 * round trip. A form the caller holds no grant on is "not found", so its
 * existence does not leak.
 */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { say, type Locale } from '@/lib/i18n';
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import type { Principal } from '@/lib/auth/principal';
import type { Decision, RecordAction } from '@/lib/policy/grants';
import { fieldCrypto, type FieldCrypto } from '@/lib/crypto/keyring';

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
  /** Policy decisions per action, computed once per request. */
  decisions?: Record<RecordAction, Decision>;
}

interface Row {
  id: string;
  name: string;
  description: string;
  published_version: number;
  schema: FormDefinition;
  grants: unknown[] | string;
}

export const formNotFound = (locale: Locale) =>
  new AppError('not_found', say(locale, { zh: '表单不存在或无权访问', en: 'Form not found' }));

export async function loadFormAccess(trx: Transaction<DB>, principal: Principal, formId: string): Promise<FormAccess> {
  const row = (
    await sql<Row>`
      select f.id, f.name, f.description, f.published_version, fv.schema,
             coalesce((select json_agg(g.grant) from grants g
                       where g.form_id = f.id
                         and g.group_id in (select gm.group_id from group_members gm where gm.user_id = ${principal.userId})),
                      '[]'::json) as grants
      from forms f join form_versions fv on fv.form_id = f.id and fv.version = f.published_version
      where f.id = ${formId} and f.archived_at is null`.execute(trx)
  ).rows[0];
  const grants = row ? (typeof row.grants === 'string' ? (JSON.parse(row.grants) as unknown[]) : row.grants) : [];
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
    ownerKey: fields.find((f) => f.kind === 'owner')?.key,
    crypto: await fieldCrypto(trx),
  };
}
