/**
 * Edits of a form definition draft, as pure functions returning a new draft.
 * The builder's state changes only through these, so `properties`, `x-order`
 * and `required` never disagree.
 */
import type { FieldSchema, FormDefinition } from '@/lib/forms/definition';

const clone = <T,>(v: T): T => structuredClone(v);

/** A definition with the three lists present (drafts from older tools may lack one). */
export function normalizeDraft(def: FormDefinition | null | undefined, title: string): FormDefinition {
  const d = clone(def ?? ({} as FormDefinition));
  const properties = d.properties && typeof d.properties === 'object' ? d.properties : {};
  const order = Array.isArray(d['x-order']) ? d['x-order'].filter((k) => k in properties) : [];
  for (const k of Object.keys(properties)) if (!order.includes(k)) order.push(k);
  return {
    ...d,
    type: 'object',
    title: d.title ?? title,
    'x-order': order,
    required: Array.isArray(d.required) ? d.required.filter((k) => k in properties) : [],
    properties,
  };
}

export function addField(def: FormDefinition, key: string, schema: FieldSchema, index?: number, required = false): FormDefinition {
  const order = [...def['x-order']];
  const at = index === undefined || index < 0 || index > order.length ? order.length : index;
  order.splice(at, 0, key);
  return {
    ...def,
    'x-order': order,
    properties: { ...def.properties, [key]: clone(schema) },
    required: required ? [...(def.required ?? []), key] : def.required ?? [],
  };
}

export function removeField(def: FormDefinition, key: string): FormDefinition {
  const { [key]: _removed, ...properties } = def.properties;
  void _removed;
  return {
    ...def,
    'x-order': def['x-order'].filter((k) => k !== key),
    required: (def.required ?? []).filter((k) => k !== key),
    properties,
  };
}

export function moveField(def: FormDefinition, from: number, to: number): FormDefinition {
  const order = [...def['x-order']];
  if (from < 0 || from >= order.length || to < 0 || to >= order.length || from === to) return def;
  const [k] = order.splice(from, 1);
  order.splice(to, 0, k);
  return { ...def, 'x-order': order };
}

/**
 * Sets or removes settings of one field: a value of `undefined` removes the
 * keyword, so the stored schema carries no empty settings.
 */
export function patchField(def: FormDefinition, key: string, patch: Partial<Record<keyof FieldSchema, unknown>>): FormDefinition {
  const current = def.properties[key];
  if (!current) return def;
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  return { ...def, properties: { ...def.properties, [key]: next as unknown as FieldSchema } };
}

export function setRequired(def: FormDefinition, key: string, required: boolean): FormDefinition {
  const list = (def.required ?? []).filter((k) => k !== key);
  if (required) list.push(key);
  return { ...def, required: list };
}

/** Renames a field key everywhere, keeping its place in the order. */
export function renameField(def: FormDefinition, from: string, to: string): FormDefinition {
  if (from === to || !(from in def.properties) || to in def.properties) return def;
  const properties: Record<string, FieldSchema> = {};
  for (const [k, v] of Object.entries(def.properties)) properties[k === from ? to : k] = v;
  return {
    ...def,
    'x-order': def['x-order'].map((k) => (k === from ? to : k)),
    required: (def.required ?? []).map((k) => (k === from ? to : k)),
    properties,
  };
}

/** The options of a choice field, wherever its kind keeps them. */
export function fieldOptions(schema: FieldSchema): string[] {
  if (schema['x-widget'] === 'multiselect') return schema.items?.enum ?? [];
  return schema.enum ?? [];
}

export function withOptions(schema: FieldSchema, options: string[]): Partial<Record<keyof FieldSchema, unknown>> {
  if (schema['x-widget'] === 'multiselect') return { items: { type: 'string', enum: options } };
  return { enum: options };
}
