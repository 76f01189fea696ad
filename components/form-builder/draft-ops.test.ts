import { describe, expect, it } from 'vitest';
import { validateDefinition, type FormDefinition } from '@/lib/forms/definition';
import { newField } from '@/lib/forms/field-kinds';
import { addField, moveField, normalizeDraft, patchField, removeField, renameField, setRequired, withOptions } from './draft-ops';

const base = (): FormDefinition => ({ type: 'object', title: 'T', 'x-order': [], required: [], properties: {} });

describe('builder draft edits keep properties, x-order and required in step', () => {
  it('adds, moves, renames and removes fields; the result stays a valid definition', () => {
    let d = addField(base(), 'name', newField('text', '名称'), undefined, true);
    d = addField(d, 'phone', newField('phone', '手机号'));
    d = addField(d, 'level', newField('select', '等级'), 0);
    expect(d['x-order']).toEqual(['level', 'name', 'phone']);
    d = moveField(d, 2, 0);
    expect(d['x-order']).toEqual(['phone', 'level', 'name']);
    d = renameField(d, 'name', 'company');
    expect(d['x-order']).toEqual(['phone', 'level', 'company']);
    expect(d.required).toEqual(['company']);
    expect(Object.keys(d.properties).sort()).toEqual(['company', 'level', 'phone']);
    expect(validateDefinition(d, 'zh-CN').ok).toBe(true);
    d = removeField(d, 'company');
    expect(d.required).toEqual([]);
    expect(d['x-order']).toEqual(['phone', 'level']);
    expect('company' in d.properties).toBe(false);
  });

  it('does not rename onto a key in use', () => {
    const d = addField(addField(base(), 'a', newField('text', 'A')), 'b', newField('text', 'B'));
    expect(renameField(d, 'a', 'b')).toBe(d);
  });

  it('patches remove keywords set to undefined instead of storing them empty', () => {
    let d = addField(base(), 'n', newField('text', 'N'));
    d = patchField(d, 'n', { maxLength: undefined, pattern: '^\\d+$' });
    expect(d.properties.n).not.toHaveProperty('maxLength');
    expect(d.properties.n.pattern).toBe('^\\d+$');
  });

  it('keeps options where each choice kind stores them', () => {
    let d = addField(base(), 's', newField('select', 'S'));
    d = addField(d, 'm', newField('multiselect', 'M'));
    d = patchField(d, 's', withOptions(d.properties.s, ['甲', '乙']));
    d = patchField(d, 'm', withOptions(d.properties.m, ['甲']));
    expect(d.properties.s.enum).toEqual(['甲', '乙']);
    expect(d.properties.m.items).toEqual({ type: 'string', enum: ['甲'] });
    expect(validateDefinition(d, 'en').ok).toBe(true);
  });

  it('toggles required once', () => {
    let d = addField(base(), 'x', newField('text', 'X'));
    d = setRequired(setRequired(d, 'x', true), 'x', true);
    expect(d.required).toEqual(['x']);
    expect(setRequired(d, 'x', false).required).toEqual([]);
  });

  it('repairs drafts whose order misses or invents keys', () => {
    const d = normalizeDraft({ type: 'object', 'x-order': ['ghost', 'b'], properties: { a: newField('text', 'A'), b: newField('text', 'B') } } as FormDefinition, '表单');
    expect(d['x-order']).toEqual(['b', 'a']);
    expect(d.required).toEqual([]);
    expect(d.title).toBe('表单');
  });
});
