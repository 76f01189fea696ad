/**
 * Values between the stored record and the form's inputs. Pure: the record
 * form, the records table and the builder's preview share these rules.
 */
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import { normalizeValues } from '@/lib/forms/record-validator';
import type { RecordFormMode } from './types';

/** Field kinds that take a whole row of the form (the others sit two to a row). */
const WIDE_KINDS = new Set(['textarea', 'address', 'multiselect']);
export const isWideField = (f: FieldInfo) => WIDE_KINDS.has(f.kind);

/**
 * The values a form starts with: the record's values; for a new record the
 * fields' defaults, and the current user as owner.
 */
export function initialFormValues(
  def: FormDefinition,
  values: Record<string, unknown> | undefined,
  mode: RecordFormMode,
  defaultOwnerId?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fresh = mode === 'create' || mode === 'preview';
  for (const f of fieldsOf(def)) {
    if (values && Object.prototype.hasOwnProperty.call(values, f.key) && values[f.key] !== undefined) {
      out[f.key] = values[f.key];
    } else if (fresh && f.schema.default !== undefined) {
      out[f.key] = structuredClone(f.schema.default);
    } else if (fresh && f.kind === 'owner' && defaultOwnerId) {
      out[f.key] = defaultOwnerId;
    } else {
      out[f.key] = emptyValueOf(f);
    }
  }
  return out;
}

/** What an empty input holds for a kind (controlled inputs need a value, not undefined). */
export function emptyValueOf(f: FieldInfo): unknown {
  if (f.kind === 'multiselect') return [];
  if (f.kind === 'checkbox') return undefined;
  if (f.kind === 'number' || f.kind === 'date' || f.kind === 'datetime' || f.kind === 'select' || f.kind === 'owner') {
    return undefined;
  }
  return '';
}

/**
 * Only what the user changed, for an update: a cleared field is sent as null
 * (the server keeps fields that are not named). Sending untouched fields back
 * would write masked display values over the stored ones.
 */
export function changedValues(
  def: FormDefinition,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const b = normalizeValues(def, before);
  const a = normalizeValues(def, after);
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(def)) {
    if (JSON.stringify(b[f.key] ?? null) !== JSON.stringify(a[f.key] ?? null)) out[f.key] = a[f.key] ?? null;
  }
  return out;
}

/** The options of a select or multiselect field. */
export function optionsOf(f: FieldInfo): string[] {
  if (f.kind === 'select') return Array.isArray(f.schema.enum) ? f.schema.enum : [];
  if (f.kind === 'multiselect') return Array.isArray(f.schema.items?.enum) ? f.schema.items.enum : [];
  return [];
}

const TAG_COLORS = ['blue', 'green', 'orange', 'purple', 'cyan', 'magenta', 'gold', 'geekblue', 'volcano', 'lime'] as const;

/** A stable colour per option, by its position among the field's options. */
export function optionColor(f: FieldInfo, option: string): string {
  const i = optionsOf(f).indexOf(option);
  return i < 0 ? 'default' : TAG_COLORS[i % TAG_COLORS.length];
}
