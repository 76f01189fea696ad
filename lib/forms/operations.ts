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
import { decideAll, grantErrors, type Grant } from '@/lib/policy/grants';
import { countPlainValues, countVisibleRecordsByForm, countSealedValues, countValuesOfOtherType } from '@/lib/records/operations';
import { fieldsOf, validateDefinition, type FieldSchema, type FormDefinition } from './definition';
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
 */
export const publishForm = defineOperation({
  name: 'forms.publish',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<{ version: number }> {
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
    await refusePlaintextUnderEncryption(ctx, form.id, definition);
    await refuseValuesOfOtherType(ctx, form.id, previous, definition);
    await refuseCiphertextUnderPlain(ctx, form.id, previous, definition);
    const version = form.published_version + 1;
    await ctx.db
      .insertInto('form_versions')
      .values({ form_id: form.id, version, schema: JSON.stringify(definition), published_by: ctx.principal.userId })
      .execute();
    await ctx.db.updateTable('forms').set({ published_version: version, updated_at: sql`now()` }).where('id', '=', form.id).execute();
    ctx.audit({ action: 'forms.publish', resourceType: 'form', resourceId: form.id, formId: form.id, details: { version } });
    return { version };
  },
});

/**
 * Marking a field encrypted must not leave its existing values in plain text
 * while the form claims otherwise. Until the re-encryption job exists, such a
 * publish is refused with the count of plain values.
 */
async function refusePlaintextUnderEncryption(ctx: OperationContext, formId: string, definition: FormDefinition) {
  const encrypted = fieldsOf(definition).filter((x) => x.schema['x-encrypted']);
  const counts = await countPlainValues(ctx.db, formId, encrypted.map((f) => f.key));
  for (const f of encrypted) {
    const plain = { n: counts[f.key] ?? 0 };
    if (plain.n > 0) {
      const title = f.schema.title;
      throw new AppError(
        'invalid_input',
        msg(ctx.locale, 'errors.forms.plainValuesBlockEncryption', { title, count: plain.n }),
        { fields: { [`/properties/${f.key}/x-encrypted`]: title } },
      );
    }
  }
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
 * Only encrypted fields are decrypted when records are read, and a plain field shows what was
 * typed (even text that looks like a token): so turning encryption off over stored ciphertext
 * would show the ciphertext. Until decrypting existing data exists, such a publish is refused.
 */
async function refuseCiphertextUnderPlain(ctx: OperationContext, formId: string, previous: FormDefinition | undefined, definition: FormDefinition) {
  if (!previous) return;
  const wasEncrypted = new Set(fieldsOf(previous).filter((f) => f.schema['x-encrypted']).map((f) => f.key));
  const turnedOff = fieldsOf(definition).filter((x) => wasEncrypted.has(x.key) && !x.schema['x-encrypted']);
  const sealed = await countSealedValues(ctx.db, formId, turnedOff.map((f) => f.key));
  for (const f of turnedOff) {
    const stored = { n: sealed[f.key] ?? 0 };
    if (stored.n > 0) {
      const title = f.schema.title;
      throw new AppError(
        'invalid_input',
        msg(ctx.locale, 'errors.forms.encryptedBlockDecryption', { title, count: stored.n }),
        { fields: { [`/properties/${f.key}/x-encrypted`]: title } },
      );
    }
  }
}

export interface FormGrantsDTO {
  formName: string;
  fields: { key: string; title: string }[];
  groups: { groupId: string; groupName: string; grant: Grant | null }[];
}

export const listFormGrants = defineOperation({
  name: 'forms.listGrants',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<FormGrantsDTO> {
    const form = await requireForm(ctx, input.formId);
    const rows = await ctx.db
      .selectFrom('groups as g')
      .leftJoin('grants as gr', (j) => j.onRef('gr.group_id', '=', 'g.id').on('gr.form_id', '=', form.id))
      .select(['g.id', 'g.name', 'gr.grant'])
      .orderBy('g.name')
      .execute();
    return {
      formName: form.name,
      fields: fieldsOf(form.draft as FormDefinition).map((f) => ({ key: f.key, title: f.schema.title })),
      groups: rows.map((r) => ({ groupId: r.id, groupName: r.name, grant: (r.grant as Grant | null) ?? null })),
    };
  },
});

export const setFormGrant = defineOperation({
  name: 'forms.setGrant',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'groupId', 'grant'],
    properties: { formId: uuid, groupId: uuid, grant: { anyOf: [{ type: 'object' }, { type: 'null' }] } },
  },
  async run(ctx, input): Promise<{ ok: true }> {
    await requireForm(ctx, input.formId);
    const group = await ctx.db.selectFrom('groups').select('id').where('id', '=', input.groupId).executeTakeFirst();
    if (!group) throw new AppError('not_found', msg(ctx.locale, 'errors.forms.groupNotFound'));
    if (input.grant === null) {
      await ctx.db.deleteFrom('grants').where('form_id', '=', input.formId).where('group_id', '=', input.groupId).execute();
    } else {
      const errors = grantErrors(input.grant);
      if (errors.length) {
        // Unknown actions, scopes or flags are refused here, and ignored
        // (denied) by policy should one ever reach the table.
        const first = errors[0];
        const where = first.instancePath || '/';
        throw new AppError(
          'invalid_input',
          msg(ctx.locale, 'errors.forms.invalidGrant', { where, reason: first.message ?? '' }),
          { fields: Object.fromEntries(errors.map((e) => [e.instancePath || '/', e.message ?? 'invalid'])) },
        );
      }
      await ctx.db
        .insertInto('grants')
        .values({ form_id: input.formId, group_id: input.groupId, grant: JSON.stringify(input.grant), updated_by: ctx.principal.userId })
        .onConflict((oc) => oc.columns(['form_id', 'group_id']).doUpdateSet({ grant: JSON.stringify(input.grant), updated_by: ctx.principal.userId, updated_at: sql`now()` }))
        .execute();
    }
    ctx.audit({ action: 'forms.setGrant', resourceType: 'grant', resourceId: `${input.formId}/${input.groupId}`, formId: input.formId, details: { grant: input.grant } });
    return { ok: true };
  },
});
export type SetFormGrantInput = OperationInput<typeof setFormGrant>;
