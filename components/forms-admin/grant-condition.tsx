'use client';
/**
 * The condition of one action's row scope: all / any of comparisons on plain field values,
 * the record's owner (`$owner`) or department (`$department`), against a value or the caller
 * (`$me`, `$myDepartment`). Conditions nested deeper are edited as JSON. Encrypted fields and
 * fields this group cannot see are offered disabled, with the reason: grantProblems refuses
 * them (a condition on a value one cannot read answers questions about it).
 */
import { useMemo, useState } from 'react';
import { Alert, Button, Input, InputNumber, Modal, Segmented, Select } from 'antd';
import { useTranslations } from 'next-intl';
import type { GrantFieldDTO } from '@/lib/forms/operations';
import { conditionColumns, type ConditionOperator, type GrantCondition } from '@/lib/policy';
import { flatten, rowComplete, unflatten, type CondRow, type CondValue, type FlatCondition, type Literal } from './grant-model';
import styles from './grants.module.css';
import { DeleteOutlined, PlusOutlined } from '../icons';

type Target = { key: string; kind: 'owner' | 'department' | 'number' | 'boolean' | 'string'; options: string[] | null };

const EQUALITY: ConditionOperator[] = ['eq', 'ne', 'in'];
const ORDERING: ConditionOperator[] = ['gt', 'gte', 'lt', 'lte'];

function targetOf(key: string, fields: readonly GrantFieldDTO[]): Target | undefined {
  if (key === '$owner') return { key, kind: 'owner', options: null };
  if (key === '$department') return { key, kind: 'department', options: null };
  const f = fields.find((x) => x.key === key);
  if (!f) return undefined;
  if (f.owner) return { key, kind: 'owner', options: null };
  return { key, kind: f.type === 'number' ? 'number' : f.type === 'boolean' ? 'boolean' : 'string', options: f.options };
}

const operatorsFor = (t: Target | undefined): ConditionOperator[] =>
  !t ? EQUALITY : t.kind === 'number' ? [...EQUALITY, ...ORDERING] : t.kind === 'boolean' ? ['eq', 'ne'] : EQUALITY;

const defaultValue = (t: Target | undefined): CondValue =>
  t?.kind === 'owner' ? { kind: 'me' } : t?.kind === 'department' ? { kind: 'myDepartment' } : { kind: 'literal', value: undefined };

const emptyRow = (): CondRow => ({ field: '', op: 'eq', value: { kind: 'literal', value: undefined } });

/** A condition in one line: 客户等级 等于 VIP 且 负责人 等于 当前用户. */
export function useConditionSummary(fields: readonly GrantFieldDTO[]) {
  const t = useTranslations('grants.condition');
  return (c: GrantCondition | undefined): string => {
    if (!c) return t('empty');
    const flat = flatten(c);
    if (!flat) return t('custom');
    const name = (key: string) => (key === '$owner' ? t('owner') : key === '$department' ? t('department') : (fields.find((f) => f.key === key)?.title ?? key));
    const value = (v: CondValue) => {
      if (v.kind === 'me') return t('me');
      if (v.kind === 'myDepartment') return t('myDepartment');
      const show = (x: Literal) => (x === true ? t('true') : x === false ? t('false') : String(x));
      return Array.isArray(v.value) ? v.value.map(show).join(' / ') : v.value === undefined ? '?' : show(v.value);
    };
    return flat.rows.map((r) => `${name(r.field)} ${t(`ops.${r.op}`)} ${value(r.value)}`).join(flat.join === 'any' ? t('or') : t('and'));
  };
}

export interface ConditionEditorProps {
  title: string;
  fields: readonly GrantFieldDTO[];
  /** Field keys this group's grant hides: offered disabled. */
  hiddenKeys: ReadonlySet<string>;
  initial: GrantCondition | undefined;
  /** The problems this condition would have in the grant, as sentences (grantProblems). */
  check: (c: GrantCondition) => string[];
  onOk: (c: GrantCondition) => void;
  onCancel: () => void;
}

export function ConditionEditor({ title, fields, hiddenKeys, initial, check, onOk, onCancel }: ConditionEditorProps) {
  const t = useTranslations('grants.condition');
  const startFlat = initial ? flatten(initial) : { join: 'all' as const, rows: [emptyRow()] };
  const [mode, setMode] = useState<'builder' | 'json'>(startFlat ? 'builder' : 'json');
  const [flat, setFlat] = useState<FlatCondition>(startFlat ?? { join: 'all', rows: [emptyRow()] });
  const [json, setJson] = useState(() => JSON.stringify(initial ?? unflatten(flat), null, 2));

  const parsedJson = useMemo((): { ok: true; c: GrantCondition } | { ok: false } => {
    try {
      const v: unknown = JSON.parse(json);
      return v && typeof v === 'object' && !Array.isArray(v) ? { ok: true, c: v as GrantCondition } : { ok: false };
    } catch {
      return { ok: false };
    }
  }, [json]);

  const complete = flat.rows.length > 0 && flat.rows.every(rowComplete);
  const condition: GrantCondition | undefined = mode === 'builder' ? (complete ? unflatten(flat) : undefined) : parsedJson.ok ? parsedJson.c : undefined;
  const problems = condition ? check(condition) : [];
  const jsonFlat = parsedJson.ok ? flatten(parsedJson.c) : undefined;

  const switchMode = (m: 'builder' | 'json') => {
    if (m === 'json') setJson(JSON.stringify(complete ? unflatten(flat) : (initial ?? unflatten(flat)), null, 2));
    else if (jsonFlat) setFlat(jsonFlat);
    setMode(m);
  };

  const setRow = (i: number, row: CondRow) => setFlat((f) => ({ ...f, rows: f.rows.map((r, j) => (j === i ? row : r)) }));

  const fieldOptions = [
    {
      label: t('record'),
      options: conditionColumns.map((c) => ({ value: c, label: c === '$owner' ? t('owner') : t('department') })),
    },
    {
      label: t('formFields'),
      options: fields
        .filter((f) => !f.owner)
        .map((f) => {
          const unsupported = f.type === 'array';
          const suffix = f.encrypted ? t('encryptedSuffix') : hiddenKeys.has(f.key) ? t('hiddenSuffix') : unsupported ? t('unsupportedSuffix') : '';
          return { value: f.key, label: `${f.title}${suffix}`, disabled: Boolean(suffix) };
        }),
    },
  ];

  return (
    <Modal
      open
      title={title}
      width={760}
      onCancel={onCancel}
      onOk={() => condition && onOk(condition)}
      okButtonProps={{ disabled: !condition || problems.length > 0, 'data-testid': 'condition-ok' } as never}
      destroyOnHidden
    >
      <p className={styles.conditionIntro}>{t('intro')}</p>
      <div className={styles.conditionMode}>
        <Segmented
          size="small"
          value={mode}
          onChange={(v) => switchMode(v as 'builder' | 'json')}
          options={[
            { value: 'builder', label: t('builder'), disabled: mode === 'json' && parsedJson.ok && !jsonFlat },
            { value: 'json', label: t('jsonMode') },
          ]}
        />
      </div>
      {mode === 'builder' ? (
        <div className={styles.conditionBuilder}>
          <div className={styles.conditionJoin}>
            {t.rich('join', {
              join: () => (
                <Select
                  size="small"
                  value={flat.join}
                  onChange={(join: 'all' | 'any') => setFlat((f) => ({ ...f, join }))}
                  options={[
                    { value: 'all', label: t('all') },
                    { value: 'any', label: t('any') },
                  ]}
                  style={{ width: 84, margin: '0 6px' }}
                  data-testid="condition-join"
                />
              ),
            })}
          </div>
          {flat.rows.map((row, i) => (
            <ConditionRow key={i} index={i} row={row} fields={fields} fieldOptions={fieldOptions} onChange={(r) => setRow(i, r)} onRemove={flat.rows.length > 1 ? () => setFlat((f) => ({ ...f, rows: f.rows.filter((_, j) => j !== i) })) : undefined} />
          ))}
          <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setFlat((f) => ({ ...f, rows: [...f.rows, emptyRow()] }))} data-testid="condition-add">
            {t('add')}
          </Button>
          {!complete && <div className={styles.conditionHint}>{t('incomplete')}</div>}
        </div>
      ) : (
        <div className={styles.conditionBuilder}>
          {initial && !flatten(initial) && <Alert type="info" showIcon title={t('jsonOnly')} className={styles.conditionAlert} />}
          <Input.TextArea value={json} onChange={(e) => setJson(e.target.value)} autoSize={{ minRows: 6, maxRows: 16 }} className={styles.conditionJson} spellCheck={false} data-testid="condition-json" />
          {!parsedJson.ok && <div className={styles.cellError}>{t('jsonInvalid')}</div>}
        </div>
      )}
      {problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          className={styles.conditionAlert}
          title={
            <ul className={styles.problemList}>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          }
        />
      )}
    </Modal>
  );
}

function ConditionRow({
  index,
  row,
  fields,
  fieldOptions,
  onChange,
  onRemove,
}: {
  index: number;
  row: CondRow;
  fields: readonly GrantFieldDTO[];
  fieldOptions: { label: string; options: { value: string; label: string; disabled?: boolean }[] }[];
  onChange: (r: CondRow) => void;
  onRemove?: () => void;
}) {
  const t = useTranslations('grants.condition');
  const target = targetOf(row.field, fields);
  const ops = operatorsFor(target);
  // The caller's id or department compares with the owner and department columns, or with a free text field.
  const dynamicAllowed = row.op !== 'in' && (target?.kind === 'owner' || target?.kind === 'department' || (target?.kind === 'string' && !target.options));
  const valueKind = row.value.kind;
  const literal = row.value.kind === 'literal' ? row.value.value : undefined;
  const setLiteral = (value: Literal | Literal[] | undefined) => onChange({ ...row, value: { kind: 'literal', value } });

  const changeField = (key: string) => {
    const next = targetOf(key, fields);
    onChange({ field: key, op: 'eq', value: defaultValue(next) });
  };
  const changeOp = (op: ConditionOperator) => {
    if (op === 'in' && row.op !== 'in') setLiteralFor(op, literal === undefined || Array.isArray(literal) ? [] : [literal]);
    else if (op !== 'in' && row.op === 'in') setLiteralFor(op, Array.isArray(literal) ? literal[0] : undefined);
    else onChange({ ...row, op });
  };
  const setLiteralFor = (op: ConditionOperator, value: Literal | Literal[] | undefined) => onChange({ ...row, op, value: { kind: 'literal', value } });

  const literalInput = () => {
    if (row.op === 'in') {
      const values = Array.isArray(literal) ? literal.map(String) : [];
      const toValue = (s: string): Literal => (target?.kind === 'number' && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
      return (
        <Select
          size="small"
          mode={target?.options ? 'multiple' : 'tags'}
          value={values}
          onChange={(v: string[]) => setLiteral(v.map(toValue))}
          options={(target?.options ?? []).map((o) => ({ value: o, label: o }))}
          placeholder={t('valuePlaceholder')}
          className={styles.conditionValue}
          data-testid={`condition-value-${index}`}
        />
      );
    }
    if (target?.kind === 'number') {
      return <InputNumber size="small" value={typeof literal === 'number' ? literal : null} onChange={(v) => setLiteral(typeof v === 'number' ? v : undefined)} className={styles.conditionValue} placeholder={t('valuePlaceholder')} data-testid={`condition-value-${index}`} />;
    }
    if (target?.kind === 'boolean') {
      return (
        <Select
          size="small"
          value={typeof literal === 'boolean' ? String(literal) : undefined}
          onChange={(v: string) => setLiteral(v === 'true')}
          options={[
            { value: 'true', label: t('true') },
            { value: 'false', label: t('false') },
          ]}
          className={styles.conditionValue}
          placeholder={t('valuePlaceholder')}
          data-testid={`condition-value-${index}`}
        />
      );
    }
    if (target?.options) {
      return (
        <Select
          size="small"
          value={typeof literal === 'string' ? literal : undefined}
          onChange={(v: string) => setLiteral(v)}
          options={target.options.map((o) => ({ value: o, label: o }))}
          className={styles.conditionValue}
          placeholder={t('valuePlaceholder')}
          data-testid={`condition-value-${index}`}
        />
      );
    }
    return <Input size="small" value={typeof literal === 'string' ? literal : ''} onChange={(e) => setLiteral(e.target.value)} className={styles.conditionValue} placeholder={t('valuePlaceholder')} data-testid={`condition-value-${index}`} />;
  };

  return (
    <div className={styles.conditionRow} data-testid={`condition-row-${index}`}>
      <Select
        size="small"
        value={row.field || undefined}
        onChange={changeField}
        options={fieldOptions}
        placeholder={t('fieldPlaceholder')}
        className={styles.conditionField}
        // A short list, fully rendered (no virtual scroll), wide enough for the reasons a field is disabled.
        virtual={false}
        listHeight={360}
        popupMatchSelectWidth={false}
        data-testid={`condition-field-${index}`}
      />
      <Select
        size="small"
        value={row.op}
        onChange={changeOp}
        options={ops.map((op) => ({ value: op, label: t(`ops.${op}`) }))}
        className={styles.conditionOp}
        data-testid={`condition-op-${index}`}
      />
      {dynamicAllowed && (
        <Select
          size="small"
          value={valueKind}
          onChange={(k: CondValue['kind']) => onChange({ ...row, value: k === 'literal' ? { kind: 'literal', value: undefined } : { kind: k } })}
          options={[
            { value: 'literal', label: t('literal') },
            { value: 'me', label: t('me') },
            { value: 'myDepartment', label: t('myDepartment') },
          ]}
          className={styles.conditionKind}
          data-testid={`condition-kind-${index}`}
        />
      )}
      {(valueKind === 'literal' || !dynamicAllowed) && literalInput()}
      <Button size="small" type="text" icon={<DeleteOutlined />} disabled={!onRemove} onClick={onRemove} aria-label={t('remove')} />
    </div>
  );
}
