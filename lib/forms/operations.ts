/**
 * Building and publishing forms, and granting groups rights on them:
 * configuration, for administrators. The pure definition model lives
 * beside this file; this is the only file of lib/forms that touches the
 * database.
 */
import 'server-only';
import { sql } from 'kysely';
import { defineOperation, type OperationContext, type OperationInput } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';
import { grantProblems } from '@/lib/policy';
import { countPlainValues, countVisibleRecordsByForm, countSealedValues, countValuesOfOtherType } from '@/lib/records/operations';
import { formFieldsLock, SEAL_JOB, UNSEAL_JOB, type SealParams } from '@/lib/records/jobs/operations';
import { enqueueJob, listJobProgress, type JobProgress } from '@/lib/jobs/queue';
import { fieldsOf, policyFieldsOf, validateDefinition, type FieldInfo, type FieldSchema, type FormDefinition } from './definition';
import { grantProblemPlace, grantProblemText, sameGrant } from './grant-editing';
import { uuidSchema as uuid } from '@/lib/forms/ajv';

const formNotFound = (locale: Locale) => new AppError('not_found', msg(locale, 'errors.forms.notFound'));

export const emptyDefinition = (title: string): FormDefinition => ({
  type: 'object',
  title,
  'x-order': [],
  required: [],
  properties: {},
});

function refuseInvalid(locale: Locale, draft: unknown): FormDefinition {
  const result = validateDefinition(draft, locale);
  if (result.ok) return result.definition;
  const fields: Record<string, string> = {};
  for (const e of result.errors) fields[e.path || '/'] ??= e.message;
  throw new AppError(
    'invalid_input',
    msg(locale, 'errors.forms.invalidDefinition', { reason: result.errors[0].message }),
    { fields, errors: result.errors },
  );
}

async function requireForm(ctx: OperationContext, formId: string) {
  const form = await ctx.db
    .selectFrom('forms')
    .select(['id', 'name', 'description', 'draft', 'published_version', 'updated_at'])
    .where('id', '=', formId)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  if (!form) throw formNotFound(ctx.locale);
  return form;
}

export interface AdminFormSummary {
  id: string;
  name: string;
  description: string;
  publishedVersion: number;
  hasUnpublishedChanges: boolean;
  /** Records within the admin's own view grant; null without one (counts obey grants too). */
  recordCount: number | null;
  updatedAt: string;
}

export const listFormsForAdmin = defineOperation({
  name: 'forms.listForAdmin',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<AdminFormSummary[]> {
    const rows = await ctx.db
      .selectFrom('forms as f')
      .leftJoin('form_versions as fv', (j) => j.onRef('fv.form_id', '=', 'f.id').onRef('fv.version', '=', 'f.published_version'))
      .select([
        'f.id',
        'f.name',
        'f.description',
        'f.published_version',
        'f.updated_at',
        sql<boolean>`fv.schema is distinct from f.draft`.as('dirty'),
      ])
      .where('f.archived_at', 'is', null)
      .orderBy('f.created_at')
      .execute();
    // Admin rights configure; how many customers a form holds is data, so
    // the count is the one the admin's own view grant would show. One
    // statement counts every form, each under its own scope.
    const counts = await countVisibleRecordsByForm(ctx.db, ctx.principal);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      publishedVersion: r.published_version,
      hasUnpublishedChanges: r.dirty,
      recordCount: counts.get(r.id) ?? null,
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  },
});

export const createForm = defineOperation({
  name: 'forms.create',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      description: { type: 'string', maxLength: 500 },
      definition: { type: 'object' },
    },
  },
  async run(ctx, input): Promise<{ id: string }> {
    const draft = input.definition ? refuseInvalid(ctx.locale, input.definition) : emptyDefinition(input.name.trim());
    const row = await ctx.db
      .insertInto('forms')
      .values({ name: input.name.trim(), description: input.description?.trim() ?? '', draft: JSON.stringify(draft), created_by: ctx.principal.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'forms.create', resourceType: 'form', resourceId: row.id, formId: row.id });
    return { id: row.id };
  },
});

export interface RemovedField {
  key: string;
  schema: FieldSchema;
  lastVersion: number;
}

export interface FormDraftDTO {
  id: string;
  name: string;
  description: string;
  draft: FormDefinition;
  publishedVersion: number;
  /** Fields of earlier versions the draft no longer has; their values are still stored. */
  removedFields: RemovedField[];
  /** Every key some published version has: renaming one would orphan stored values. */
  publishedKeys: string[];
  /** Fields the published version encrypts: publishing a draft that no longer does needs a confirmation. */
  encryptedKeys: string[];
}

export const getFormDraft = defineOperation({
  name: 'forms.getDraft',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<FormDraftDTO> {
    const form = await requireForm(ctx, input.formId);
    const draft = form.draft as FormDefinition;
    const versions = await ctx.db
      .selectFrom('form_versions')
      .select(['version', 'schema'])
      .where('form_id', '=', form.id)
      .orderBy('version', 'desc')
      .execute();
    const inDraft = new Set(Object.keys(draft.properties ?? {}));
    const removed = new Map<string, RemovedField>();
    const publishedKeys = new Set<string>();
    for (const v of versions) {
      for (const f of fieldsOf(v.schema as FormDefinition)) {
        publishedKeys.add(f.key);
        if (!inDraft.has(f.key) && !removed.has(f.key)) removed.set(f.key, { key: f.key, schema: f.schema, lastVersion: v.version });
      }
    }
    ctx.audit({ action: 'forms.getDraft', resourceType: 'form', resourceId: form.id, formId: form.id });
    return {
      id: form.id,
      name: form.name,
      description: form.description,
      draft,
      publishedVersion: form.published_version,
      removedFields: [...removed.values()],
      publishedKeys: [...publishedKeys],
      encryptedKeys: versions.length && versions[0].version === form.published_version ? fieldsOf(versions[0].schema as FormDefinition).filter((f) => f.schema['x-encrypted']).map((f) => f.key) : [],
    };
  },
});

export const saveFormDraft = defineOperation({
  name: 'forms.saveDraft',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'draft'],
    properties: {
      formId: uuid,
      name: { type: 'string', minLength: 1, maxLength: 100 },
      description: { type: 'string', maxLength: 500 },
      draft: { type: 'object' },
    },
  },
  async run(ctx, input): Promise<{ ok: true }> {
    await requireForm(ctx, input.formId);
    const draft = refuseInvalid(ctx.locale, input.draft);
    await ctx.db
      .updateTable('forms')
      .set({
        draft: JSON.stringify(draft),
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description.trim() } : {}),
        updated_at: sql`now()`,
      })
      .where('id', '=', input.formId)
      .execute();
    ctx.audit({ action: 'forms.saveDraft', resourceType: 'form', resourceId: input.formId, formId: input.formId, details: { fields: draft['x-order'] } });
    return { ok: true };
  },
});
export type SaveFormDraftInput = OperationInput<typeof saveFormDraft>;

/**
 * Publishing adds a version; records keep the version they were saved
 * with, and stored values of removed fields stay in the record.
 *
 * Encryption may be turned on or off over stored values: a background job then seals or
 * opens them while the form stays in use. Turning it off writes every sealed value of the
 * field back in plain text, so it needs the field named in `confirmDecrypt`.
 */
export const publishForm = defineOperation({
  name: 'forms.publish',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId'],
    properties: {
      formId: uuid,
      confirmDecrypt: { type: 'array', maxItems: 500, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 100 } },
    },
  },
  async run(ctx, input): Promise<{ version: number; sealJobId?: string; unsealJobId?: string }> {
    // Publishes of one form, and the batches of its seal and unseal jobs, one at a time: the
    // counts below must see what a batch committed (lib/records/jobs/operations.ts).
    await formFieldsLock(ctx, input.formId);
    const form = await requireForm(ctx, input.formId);
    const definition = refuseInvalid(ctx.locale, form.draft);
    if (definition['x-order'].length === 0) {
      throw new AppError('invalid_input', msg(ctx.locale, 'errors.forms.noFields'));
    }
    // The definition being replaced, read once for the checks that compare against it.
    const previous = form.published_version
      ? ((
          await ctx.db.selectFrom('form_versions').select('schema').where('form_id', '=', form.id).where('version', '=', form.published_version).executeTakeFirst()
        )?.schema as FormDefinition | undefined)
      : undefined;
    const toSeal = await plainValuesUnderEncryption(ctx, form.id, definition);
    await refuseValuesOfOtherType(ctx, form.id, previous, definition);
    const toUnseal = await sealedValuesUnderPlain(ctx, form.id, previous, definition, input.confirmDecrypt ?? []);
    const version = form.published_version + 1;
    await ctx.db
      .insertInto('form_versions')
      .values({ form_id: form.id, version, schema: JSON.stringify(definition), published_by: ctx.principal.systemLabel ? null : ctx.principal.userId })
      .execute();
    // Readers open sealed values of a field in `unsealing` (its job is under way); a field
    // encrypted again is opened anyway, so it leaves the list.
    // A field left listed by an earlier job (a value that did not open) leaves the list once
    // nothing sealed is left in it.
    const encrypted = fieldsOf(definition).filter((f) => f.schema['x-encrypted']).map((f) => f.key);
    const listed = (await ctx.db.selectFrom('forms').select('unsealing').where('id', '=', form.id).executeTakeFirstOrThrow()).unsealing.filter((k) => !toUnseal.includes(k));
    const stillSealed = await countSealedValues(ctx.db, form.id, listed);
    const unsealing = [...new Set([...listed.filter((k) => stillSealed[k]), ...toUnseal])].filter((k) => !encrypted.includes(k));
    await sql`update forms set published_version = ${version}, updated_at = now(), unsealing = ${unsealing}::text[] where id = ${form.id}::uuid`.execute(ctx.db);
    // Fields newly marked encrypted over plain values, or no longer encrypted over sealed ones:
    // a job changes what is stored while the form is already in use (new values are written
    // the new way by the write path from now on).
    const createdBy = ctx.principal.systemLabel ? null : ctx.principal.userId;
    const sealJobId = toSeal.length ? await fieldsJob(ctx, SEAL_JOB, form.id, toSeal, createdBy) : undefined;
    const unsealJobId = toUnseal.length ? await fieldsJob(ctx, UNSEAL_JOB, form.id, toUnseal, createdBy) : undefined;
    const jobs = { ...(sealJobId ? { sealJobId } : {}), ...(unsealJobId ? { unsealJobId } : {}) };
    ctx.audit({
      action: 'forms.publish',
      resourceType: 'form',
      resourceId: form.id,
      formId: form.id,
      fields: [...toSeal, ...toUnseal],
      details: { version, ...jobs, ...(toUnseal.length ? { decrypted: toUnseal } : {}) },
    });
    return { version, ...jobs };
  },
});

/**
 * Queues the job that seals or opens `keys` of a form. One per form and kind: a publish while
 * one is under way starts it over with every field it must change now.
 */
async function fieldsJob(ctx: OperationContext, kind: string, formId: string, keys: string[], createdBy: string | null): Promise<string> {
  const params: SealParams = { formId, keys, batchSize: 500, leaseSeconds: 60 };
  const job = await enqueueJob(ctx.db, { kind, params: { ...params }, singleton: `${kind}:${formId}`, createdBy });
  if (!job.created) {
    // No batch of it runs meanwhile (formFieldsLock), so it cannot finish under us.
    const running = await ctx.db.selectFrom('jobs').select('params').where('id', '=', job.id).executeTakeFirstOrThrow();
    const all = [...new Set([...((running.params as { keys?: string[] }).keys ?? []), ...keys])];
    await ctx.db
      .updateTable('jobs')
      .set({ params: JSON.stringify({ ...params, keys: all }), checkpoint: null, done: '0', total: null })
      .where('id', '=', job.id)
      .where('state', 'in', ['queued', 'running'])
      .execute();
  }
  return job.id;
}

/** A job sealing or opening a form's existing values, with the fields it changes. */
export type FieldJobDTO = JobProgress & { fields: { key: string; title: string }[] };

/**
 * The form's jobs that encrypt or decrypt existing values: those under way or failed, and
 * those finished in the last ten minutes, for the builder's progress (polled every 2 s).
 */
export const listFieldJobs = defineOperation({
  name: 'forms.fieldJobs',
  permission: 'admin',
  readOnly: true,
  // Progress only (counts, states, field names): nothing of a record; not worth an event per poll.
  audit: false,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<FieldJobDTO[]> {
    const form = await requireForm(ctx, input.formId);
    const jobs = await listJobProgress(ctx.db, { kinds: [SEAL_JOB, UNSEAL_JOB], formId: form.id, limit: 5 });
    const recent = jobs.filter((j) => j.state !== 'done' || (j.finishedAt && Date.now() - Date.parse(j.finishedAt) < 10 * 60_000));
    if (!recent.length) return [];
    const params = await ctx.db.selectFrom('jobs').select(['id', 'params']).where('id', 'in', recent.map((j) => j.id)).execute();
    const published = form.published_version
      ? await ctx.db.selectFrom('form_versions').select('schema').where('form_id', '=', form.id).where('version', '=', form.published_version).executeTakeFirst()
      : undefined;
    const titles = new Map(published ? fieldsOf(published.schema as FormDefinition).map((f) => [f.key, f.schema.title]) : []);
    return recent.map((j) => {
      const keys = ((params.find((p) => p.id === j.id)?.params as { keys?: string[] } | undefined)?.keys ?? []).filter((k) => typeof k === 'string');
      return { ...j, fields: keys.map((key) => ({ key, title: titles.get(key) ?? key })) };
    });
  },
});

/**
 * Marking a field encrypted must not leave its existing values in plain text while the form
 * claims otherwise: the encrypted fields that still hold plain values, for the seal job.
 */
async function plainValuesUnderEncryption(ctx: OperationContext, formId: string, definition: FormDefinition): Promise<string[]> {
  const encrypted = fieldsOf(definition).filter((x) => x.schema['x-encrypted']);
  const counts = await countPlainValues(ctx.db, formId, encrypted.map((f) => f.key));
  return encrypted.filter((f) => (counts[f.key] ?? 0) > 0).map((f) => f.key);
}

/** The data types a field can have, named in messages (errors.forms.typeNames). */
const TYPE_NAMES: ReadonlySet<string> = new Set<FieldSchema['type']>(['string', 'number', 'boolean', 'array']);

/**
 * A field's type may change only if the stored values (in the recycle bin
 * too, which can be restored) are of the new type: otherwise lists, sorts and
 * validation would meet values the form says cannot exist. Refused with the
 * field and the number of records, so the admin knows what to fix. Sealed
 * values cannot be inspected by SQL, so an encrypted field with values keeps
 * its type.
 */
async function refuseValuesOfOtherType(ctx: OperationContext, formId: string, previous: FormDefinition | undefined, definition: FormDefinition) {
  const before = new Map(previous ? fieldsOf(previous).map((f) => [f.key, f.schema.type]) : []);
  // Only what this publish changes: a field whose type differs from the published one, or a key
  // that comes (back) into the form, whose stored values were written under another definition.
  const fields = fieldsOf(definition).filter((f) => before.get(f.key) !== f.schema.type);
  if (fields.length === 0) return;
  const others = await countValuesOfOtherType(ctx.db, formId, fields.map((f) => ({ key: f.key, type: f.schema.type })));
  const sealed = await countSealedValues(ctx.db, formId, fields.filter((f) => before.has(f.key)).map((f) => f.key));
  for (const f of fields) {
    const title = f.schema.title;
    const n = others[f.key] ?? 0;
    const s = sealed[f.key] ?? 0;
    if (n === 0 && s === 0) continue;
    const type = TYPE_NAMES.has(f.schema.type) ? msg(ctx.locale, `errors.forms.typeNames.${f.schema.type}`) : f.schema.type;
    throw new AppError(
      'invalid_input',
      n > 0
        ? msg(ctx.locale, 'errors.forms.valuesBlockTypeChange', { title, count: n, type })
        : msg(ctx.locale, 'errors.forms.encryptedBlockTypeChange', { title, count: s }),
      { fields: { [`/properties/${f.key}/type`]: title }, field: f.key, records: n || s },
    );
  }
}

/**
 * Fields whose encryption this publish turns off while they hold sealed values: their values
 * will be decrypted and stored in plain text, readable by whoever can read the database or a
 * backup from then on. Refused, with the risk and the count, unless each is named in
 * `confirmed`.
 */
async function sealedValuesUnderPlain(ctx: OperationContext, formId: string, previous: FormDefinition | undefined, definition: FormDefinition, confirmed: string[]): Promise<string[]> {
  if (!previous) return [];
  const wasEncrypted = new Set(fieldsOf(previous).filter((f) => f.schema['x-encrypted']).map((f) => f.key));
  const turnedOff = fieldsOf(definition).filter((x) => wasEncrypted.has(x.key) && !x.schema['x-encrypted']);
  const sealed = await countSealedValues(ctx.db, formId, turnedOff.map((f) => f.key));
  const withValues = turnedOff.filter((f) => (sealed[f.key] ?? 0) > 0);
  const unconfirmed = withValues.filter((f) => !confirmed.includes(f.key));
  if (unconfirmed.length) {
    const fields = Object.fromEntries(unconfirmed.map((f) => [`/properties/${f.key}/x-encrypted`, msg(ctx.locale, 'errors.forms.decryptionNeedsConfirmation', { title: f.schema.title, count: sealed[f.key] })]));
    throw new AppError('invalid_input', Object.values(fields).join(' '), { fields, decrypt: unconfirmed.map((f) => ({ key: f.key, title: f.schema.title, count: sealed[f.key] })) });
  }
  return withValues.map((f) => f.key);
}

/** A form field as the permission editor shows it. */
export interface GrantFieldDTO {
  key: string;
  title: string;
  kind: FieldInfo['kind'];
  type: FieldSchema['type'];
  /** Sealed at rest: a condition cannot compare it. */
  encrypted: boolean;
  /** The record's owner column: conditions name it as `$owner`. */
  owner: boolean;
  /** The mask rule shown to groups with mode `masked`; null when the field has none. */
  mask: string | null;
  /** The allowed values of a choice field, offered as condition values. */
  options: string[] | null;
}

export interface FormGrantsDTO {
  formName: string;
  publishedVersion: number;
  /** The fields grants are checked against: the published version's (the draft's before the first publish). */
  fields: GrantFieldDTO[];
  groups: {
    groupId: string;
    groupName: string;
    /** As stored: it may be anything an older version wrote, so the editor checks it. */
    grant: unknown;
    /** The grant fails the schema or names something this form cannot apply: it grants (partly) nothing. */
    invalid: boolean;
  }[];
}

/**
 * The definition grants are checked against: what records are read and written with (the
 * published version). Before the first publish there are no records yet, and the admin sets
 * up permissions on the draft.
 */
async function grantDefinition(ctx: OperationContext, form: { id: string; draft: unknown; published_version: number }): Promise<FormDefinition> {
  if (!form.published_version) return form.draft as FormDefinition;
  const v = await ctx.db
    .selectFrom('form_versions')
    .select('schema')
    .where('form_id', '=', form.id)
    .where('version', '=', form.published_version)
    .executeTakeFirstOrThrow();
  return v.schema as FormDefinition;
}

const maskOf = (schema: FieldSchema): string | null => {
  const m: unknown = schema['x-mask'];
  if (typeof m === 'string') return m === 'none' ? null : m;
  // A rule with parameters (lib/masking's custom rule) is named by its `rule`.
  if (m && typeof m === 'object' && typeof (m as { rule?: unknown }).rule === 'string') return (m as { rule: string }).rule;
  return null;
};

export const getFormGrants = defineOperation({
  name: 'forms.getGrants',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<FormGrantsDTO> {
    const form = await requireForm(ctx, input.formId);
    const definition = await grantDefinition(ctx, form);
    const fields = fieldsOf(definition);
    const policyFields = policyFieldsOf(definition);
    const rows = await ctx.db
      .selectFrom('groups as g')
      .leftJoin('grants as gr', (j) => j.onRef('gr.group_id', '=', 'g.id').on('gr.form_id', '=', form.id))
      .select(['g.id', 'g.name', 'gr.grant'])
      .orderBy('g.name')
      .execute();
    return {
      formName: form.name,
      publishedVersion: form.published_version,
      fields: fields.map((f) => ({
        key: f.key,
        title: f.schema.title,
        kind: f.kind,
        type: f.schema.type,
        encrypted: Boolean(f.schema['x-encrypted']),
        owner: f.kind === 'owner',
        mask: maskOf(f.schema),
        options: f.schema.enum ?? f.schema.items?.enum ?? null,
      })),
      groups: rows.map((r) => {
        const grant = r.grant ?? null;
        return { groupId: r.id, groupName: r.name, grant, invalid: grant !== null && grantProblems(grant, policyFields).length > 0 };
      }),
    };
  },
});

/**
 * Saves the grants of several groups on one form at once (the permission editor saves the
 * whole form): all or nothing, in one transaction. `grant: null` removes a group's grant.
 *
 * Each grant is checked against the form's fields before anything is written: a condition on
 * an encrypted field (ciphertext cannot be compared), on a field the same grant hides (which
 * rows appear would tell its value: a search oracle), on an unknown field, or nested too deep
 * is refused here, where the admin can fix it, instead of silently granting nothing later.
 * Every group whose grant really changes gets its own audit event with before and after
 * (grants hold rules, never record values). Nothing is cached: each request loads the grants,
 * so a change applies at every affected user's next request.
 */
export const setFormGrants = defineOperation({
  name: 'forms.setGrants',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'grants'],
    properties: {
      formId: uuid,
      grants: {
        type: 'array',
        minItems: 1,
        maxItems: 500,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['groupId', 'grant'],
          properties: { groupId: uuid, grant: { anyOf: [{ type: 'object' }, { type: 'null' }] } },
        },
      },
    },
  },
  async run(ctx, input): Promise<{ changed: number }> {
    const form = await requireForm(ctx, input.formId);
    const ids = input.grants.map((g) => g.groupId);
    if (new Set(ids).size !== ids.length) throw new AppError('invalid_input', msg(ctx.locale, 'errors.forms.duplicateGroup'));
    const groups = await ctx.db.selectFrom('groups').select(['id', 'name']).where('id', 'in', ids).execute();
    if (groups.length !== ids.length) throw new AppError('not_found', msg(ctx.locale, 'errors.forms.groupNotFound'));
    const nameOf = new Map(groups.map((g) => [g.id, g.name]));

    const definition = await grantDefinition(ctx, form);
    const policyFields = policyFieldsOf(definition);
    const titleOf = new Map(fieldsOf(definition).map((f) => [f.key, f.schema.title]));
    const fieldErrors: Record<string, string> = {};
    let first: string | undefined;
    input.grants.forEach((g, i) => {
      if (g.grant === null) return;
      for (const p of grantProblems(g.grant, policyFields)) {
        const text = grantProblemText(ctx.locale, p, (key) => titleOf.get(key) ?? key);
        const place = grantProblemPlace(p);
        const at = 'action' in place ? `.actions.${place.action}` : 'field' in place ? `.fields.${place.field}` : '';
        fieldErrors[`grants.${i}.grant${at}`] ??= text;
        first ??= msg(ctx.locale, 'errors.forms.invalidGrant', { group: nameOf.get(g.groupId) ?? '', problem: text });
      }
    });
    if (first) throw new AppError('invalid_input', first, { fields: fieldErrors });

    const stored = await ctx.db.selectFrom('grants').select(['group_id', 'grant']).where('form_id', '=', form.id).where('group_id', 'in', ids).execute();
    const before = new Map(stored.map((r) => [r.group_id, r.grant as unknown]));
    let changed = 0;
    for (const { groupId, grant } of input.grants) {
      const was = before.get(groupId) ?? null;
      if (sameGrant(was, grant)) continue;
      if (grant === null) {
        await ctx.db.deleteFrom('grants').where('form_id', '=', form.id).where('group_id', '=', groupId).execute();
      } else {
        const value = JSON.stringify(grant);
        await ctx.db
          .insertInto('grants')
          .values({ form_id: form.id, group_id: groupId, grant: value, updated_by: ctx.principal.userId })
          .onConflict((oc) => oc.columns(['form_id', 'group_id']).doUpdateSet({ grant: value, updated_by: ctx.principal.userId, updated_at: sql`now()` }))
          .execute();
      }
      changed++;
      ctx.audit({
        action: 'forms.setGrant',
        resourceType: 'grant',
        resourceId: `${form.id}/${groupId}`,
        formId: form.id,
        details: { group: nameOf.get(groupId), before: was, after: grant },
      });
    }
    return { changed };
  },
});
export type SetFormGrantsInput = OperationInput<typeof setFormGrants>;
