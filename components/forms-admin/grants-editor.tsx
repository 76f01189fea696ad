'use client';
/**
 * Who may do what on one form: a matrix of actions × groups (each cell on or off, with the
 * records it applies to) and a matrix of fields × groups (each cell a field mode), in the
 * policy vocabulary (lib/policy). Every edit is checked with grantProblems as it is made,
 * the problem shown at its cell; the whole form is saved in one action (setFormGrants), which
 * checks again. No grant means no access.
 */
import { useMemo, useState, useSyncExternalStore } from 'react';
import Link from 'next/link';
import { Alert, App, Button, Card, Checkbox, Collapse, Dropdown, Empty, Grid, Select, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useLocale, useTranslations } from 'next-intl';
import { useRunAction, type Action } from '../action-result';
import { PageHeader } from '../page-header';
import { useUnsavedChangesGuard } from '../use-unsaved-changes-guard';
import { PageCrumbs } from '../records/page-crumbs';
import { FormAdminTabs } from './form-admin-tabs';
import { ConditionEditor, useConditionSummary } from './grant-condition';
import styles from './grants.module.css';
import { CodeOutlined, DownOutlined, InfoCircleOutlined, LockOutlined, SaveOutlined, UndoOutlined, WarningOutlined } from '../icons';
import type { FormGrantsDTO, GrantFieldDTO, SetFormGrantsInput } from '@/lib/forms/operations';
import { grantProblemPlace, grantProblemText, sameGrant } from '@/lib/forms/grant-editing';
import { toLocale } from '@/lib/i18n';
import {
  fieldModes,
  grantPresetNames,
  grantProblems,
  isScopedAction,
  recordActions,
  rowScopes,
  type FieldMode,
  type GrantCondition,
  type GrantScope,
  type PolicyField,
  type RecordAction,
} from '@/lib/policy';
import {
  anyAction,
  editable,
  fromPreset,
  hasAction,
  missingView,
  modeIn,
  namesField,
  scopeOf,
  setAction,
  setMode,
  setRevealReason,
  setScope,
  toStored,
  type EditGrant,
} from './grant-model';

type Group = FormGrantsDTO['groups'][number];
type Drafts = Record<string, EditGrant>;

const MODE_COLORS: Record<FieldMode, string> = { hidden: 'default', masked: 'purple', read: 'blue', 'write-on-create': 'cyan', write: 'green' };
/** Rights that let data leave the masked view: shown apart, so they are never granted unnoticed. */
const SENSITIVE: readonly RecordAction[] = ['reveal', 'export'];
const OTHER = '*';

interface CellProblems {
  actions: Partial<Record<RecordAction, string[]>>;
  fields: Record<string, string[]>;
  other: string[];
}

const initialDrafts = (groups: readonly Group[]): Drafts => Object.fromEntries(groups.map((g) => [g.groupId, editable(g.grant)]));

const noSubscription = () => () => {};

export function GrantsEditor({ formId, data, saveAction }: { formId: string; data: FormGrantsDTO; saveAction: Action<SetFormGrantsInput, { changed: number }> }) {
  const t = useTranslations('grants');
  const tm = useTranslations('builder.props.masks');
  const locale = toLocale(useLocale());
  const run = useRunAction();
  const { modal } = App.useApp();
  const screens = Grid.useBreakpoint();
  // True once React runs in the browser: the matrices say so (data-hydrated), so a browser
  // test does not toggle a switch the server rendered before its handler exists.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  const summary = useConditionSummary(data.fields);
  const { fields, groups } = data;

  // Reset to what the server has whenever it answers with new data (after a save, router.refresh()).
  const serverKey = JSON.stringify(groups);
  const [seenKey, setSeenKey] = useState(serverKey);
  const [drafts, setDrafts] = useState<Drafts>(() => initialDrafts(groups));
  if (seenKey !== serverKey) {
    setSeenKey(serverKey);
    setDrafts(initialDrafts(groups));
  }
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<{ count: number; names: string[] } | null>(null);
  const [editingCondition, setEditingCondition] = useState<{ groupId: string; action: RecordAction; previous: GrantScope | undefined } | null>(null);

  const policyFields: PolicyField[] = useMemo(() => fields.map((f) => ({ key: f.key, encrypted: f.encrypted, owner: f.owner })), [fields]);
  const titleOf = (key: string) => fields.find((f) => f.key === key)?.title ?? key;

  const problemsOf = (g: EditGrant): CellProblems => {
    const out: CellProblems = { actions: {}, fields: {}, other: [] };
    const stored = toStored(g);
    if (!stored) return out;
    for (const p of grantProblems(stored, policyFields)) {
      const text = grantProblemText(locale, p, titleOf);
      const place = grantProblemPlace(p);
      if ('action' in place) (out.actions[place.action] ??= []).push(text);
      else if ('field' in place && fields.some((f) => f.key === place.field)) (out.fields[place.field] ??= []).push(text);
      else out.other.push(text);
    }
    return out;
  };
  const problems: Record<string, CellProblems> = Object.fromEntries(groups.map((g) => [g.groupId, problemsOf(drafts[g.groupId])]));
  const problemCount = Object.values(problems).reduce((n, p) => n + Object.values(p.actions).flat().length + Object.values(p.fields).flat().length + p.other.length, 0);

  // A stored grant the schema refuses differs from what the editor shows: saving repairs it.
  const changed = groups.filter((g) => !sameGrant(toStored(drafts[g.groupId]), g.grant));
  // Only what the admin changed holds them on the page (not a stored grant waiting for repair).
  const editedByAdmin = groups.some((g) => !sameGrant(toStored(drafts[g.groupId]), toStored(editable(g.grant))));
  useUnsavedChangesGuard(editedByAdmin);

  const update = (groupId: string, f: (g: EditGrant) => EditGrant) => {
    setSaved(null);
    setDrafts((d) => ({ ...d, [groupId]: f(d[groupId]) }));
  };

  const save = async () => {
    if (!changed.length || problemCount) return;
    setSaving(true);
    try {
      const grants = changed.map((g) => ({ groupId: g.groupId, grant: toStored(drafts[g.groupId]) }));
      const result = await run(() => saveAction({ formId, grants }), { success: t('savedToast') });
      if (result.ok) setSaved({ count: result.data.changed, names: changed.map((g) => g.groupName) });
    } finally {
      setSaving(false);
    }
  };

  const reset = () =>
    modal.confirm({
      title: t('resetConfirm'),
      okText: t('confirm'),
      cancelText: t('cancel'),
      onOk: () => {
        setSaved(null);
        setDrafts(initialDrafts(groups));
      },
    });

  // ----------------------------------------------------------------- group headers

  const statusTag = (g: Group) => {
    const draft = drafts[g.groupId];
    const isChanged = changed.some((c) => c.groupId === g.groupId);
    return (
      <span className={styles.groupTags}>
        {g.invalid && !isChanged ? (
          <Tooltip title={t('invalidHelp')}>
            <Tag color="error" variant="filled">
              {t('invalid')}
            </Tag>
          </Tooltip>
        ) : anyAction(draft) ? (
          <Tag color="success" variant="filled">
            {t('granted')}
          </Tag>
        ) : (
          <Tag variant="filled">{t('notGranted')}</Tag>
        )}
        {isChanged && (
          <Tag color="warning" variant="filled">
            {t('unsaved')}
          </Tag>
        )}
      </span>
    );
  };

  const groupHeader = (g: Group, withPresets: boolean) => (
    <div className={styles.groupHead} data-testid={withPresets ? `grant-${g.groupName}` : undefined}>
      <div className={styles.groupName}>{g.groupName}</div>
      <div className={styles.groupHeadRow}>
        {statusTag(g)}
        {withPresets && (
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'title', type: 'group', label: t('presets.title') },
                ...grantPresetNames.map((p) => ({
                  key: p,
                  label: (
                    <div className={styles.presetItem} data-testid={`preset-${g.groupName}-${p}`}>
                      <div>{t(`presets.${p}`)}</div>
                      <div className={styles.presetHelp}>{t(`presets.${p}Help`)}</div>
                    </div>
                  ),
                })),
                { type: 'divider' },
                { key: 'clear', danger: true, label: t('presets.clear') },
              ],
              onClick: ({ key }) => update(g.groupId, () => (key === 'clear' ? null : fromPreset(key as (typeof grantPresetNames)[number]))),
            }}
          >
            <Button size="small" type="link" className={styles.presetButton} data-testid={`preset-${g.groupName}`}>
              {t('presets.button')} <DownOutlined />
            </Button>
          </Dropdown>
        )}
      </div>
    </div>
  );

  // ----------------------------------------------------------------- actions × groups

  const scopeOptions = [...rowScopes.map((s) => ({ value: s, label: t(`scopes.${s}`) })), { value: 'condition', label: t('scopes.condition') }];

  const actionCell = (g: Group, a: RecordAction) => {
    const draft = drafts[g.groupId];
    const on = hasAction(draft, a);
    const scope = scopeOf(draft, a);
    const errors = problems[g.groupId].actions[a] ?? [];
    const isCondition = typeof scope === 'object';
    return (
      <div className={`${styles.cell} ${errors.length ? styles.cellInvalid : ''}`}>
        <div className={styles.cellRow}>
          <Switch size="small" checked={on} onChange={(v) => update(g.groupId, (d) => setAction(d, a, v))} aria-label={`${g.groupName} ${t(`actions.${a}`)}`} data-testid={`switch-${g.groupName}-${a}`} />
          {on && isScopedAction(a) && (
            <Select
              size="small"
              className={styles.scopeSelect}
              value={isCondition ? 'condition' : scope}
              status={errors.length ? 'error' : undefined}
              onChange={(v: string) => {
                if (v === 'condition') setEditingCondition({ groupId: g.groupId, action: a, previous: scope });
                else update(g.groupId, (d) => setScope(d, a, v as GrantScope));
              }}
              options={scopeOptions}
              popupMatchSelectWidth={false}
              data-testid={`scope-${g.groupName}-${a}`}
            />
          )}
        </div>
        {on && isCondition && (
          <button type="button" className={styles.conditionSummary} onClick={() => setEditingCondition({ groupId: g.groupId, action: a, previous: scope })} data-testid={`condition-${g.groupName}-${a}`}>
            <span className={styles.conditionText}>{summary(scope as GrantCondition)}</span>
            <span className={styles.conditionEdit}>{t('editCondition')}</span>
          </button>
        )}
        {on && a === 'reveal' && (
          <Checkbox checked={draft?.actions.reveal?.reason === true} onChange={(e) => update(g.groupId, (d) => setRevealReason(d, e.target.checked))} className={styles.reason} data-testid={`reason-${g.groupName}`}>
            {t('reason')}
          </Checkbox>
        )}
        {missingView(draft, a) && (
          <div className={styles.cellWarning}>
            <WarningOutlined /> {t('needsView')}
          </div>
        )}
        {errors.map((e) => (
          <div key={e} className={styles.cellError} role="alert">
            {e}
          </div>
        ))}
      </div>
    );
  };

  // On a phone the row names scroll away with the matrix, narrower, instead of taking half the screen for good.
  const firstColumn = screens.md ? { fixed: 'left' as const, width: 190 } : { width: 130 };
  const actionColumns: ColumnsType<{ key: RecordAction }> = [
    {
      key: 'action',
      title: t('action'),
      ...firstColumn,
      render: (_, r) => (
        <div>
          <div className={styles.rowName}>
            {t(`actions.${r.key}`)}
            {SENSITIVE.includes(r.key) && (
              <Tag color="volcano" variant="filled" className={styles.sensitiveTag}>
                {t('sensitive')}
              </Tag>
            )}
          </div>
          <div className={styles.rowHelp}>{t(`actionHelp.${r.key}`)}</div>
        </div>
      ),
    },
    ...groups.map((g) => ({ key: g.groupId, title: groupHeader(g, true), width: 230, render: (_: unknown, r: { key: RecordAction }) => actionCell(g, r.key) })),
  ];

  // ----------------------------------------------------------------- fields × groups

  const modeLabel = (m: FieldMode) => (
    <Tag color={MODE_COLORS[m]} variant="filled" className={styles.modeTag}>
      {t(`modes.${m}`)}
    </Tag>
  );
  const maskName = (rule: string) => (tm.has(`${rule}.label` as never) ? tm(`${rule}.label` as never) : rule);

  const fieldCell = (g: Group, f: GrantFieldDTO | null) => {
    const draft = drafts[g.groupId];
    const key = f?.key ?? OTHER;
    const active = anyAction(draft);
    const own = namesField(draft, key) ? draft!.fields![key] : undefined;
    const effective = modeIn(draft, key);
    const errors = problems[g.groupId].fields[key] ?? [];
    const inheritLabel = t('inherit', { mode: t(`modes.${modeIn(draft, OTHER)}`) });
    const options = [
      ...(f ? [{ value: '', label: <span className={styles.inherit}>{inheritLabel}</span> }] : []),
      ...fieldModes.map((m) => ({ value: m, label: modeLabel(m) })),
    ];
    return (
      <div className={`${styles.cell} ${errors.length ? styles.cellInvalid : ''}`}>
        <Select
          size="small"
          className={styles.modeSelect}
          disabled={!active}
          placeholder={t('noActionsYet')}
          value={!active ? undefined : f ? (own ?? '') : effective}
          onChange={(v: string) => update(g.groupId, (d) => setMode(d, key, (v || undefined) as FieldMode | undefined))}
          options={options}
          status={errors.length ? 'error' : undefined}
          popupMatchSelectWidth={false}
          data-testid={`mode-${g.groupName}-${key}`}
        />
        {active && f && effective === 'masked' && !f.mask && (
          <div className={styles.cellWarning}>
            <WarningOutlined /> {t('noMaskWarning')}
          </div>
        )}
        {errors.map((e) => (
          <div key={e} className={styles.cellError} role="alert">
            {e}
          </div>
        ))}
      </div>
    );
  };

  type FieldRow = { key: string; field: GrantFieldDTO | null };
  const fieldRows: FieldRow[] = [{ key: OTHER, field: null }, ...fields.map((f) => ({ key: f.key, field: f }))];
  const fieldColumns: ColumnsType<FieldRow> = [
    {
      key: 'field',
      title: t('field'),
      ...firstColumn,
      render: (_, r) =>
        r.field ? (
          <div>
            <div className={styles.rowName}>
              {r.field.title}
              <code className={styles.fieldKey}>{r.field.key}</code>
            </div>
            <div className={styles.fieldTags}>
              {r.field.encrypted && (
                <Tooltip title={t('encryptedHelp')}>
                  <Tag color="gold" variant="filled" icon={<LockOutlined />}>
                    {t('encrypted')}
                  </Tag>
                </Tooltip>
              )}
              {r.field.mask && (
                <Tag color="purple" variant="outlined">
                  {t('maskRule', { rule: maskName(r.field.mask) })}
                </Tag>
              )}
              {r.field.owner && <Tag variant="outlined">{t('ownerField')}</Tag>}
            </div>
          </div>
        ) : (
          <div>
            <div className={styles.rowName}>{t('otherFields')} *</div>
            <div className={styles.rowHelp}>{t('otherFieldsHelp')}</div>
          </div>
        ),
    },
    ...groups.map((g) => ({ key: g.groupId, title: groupHeader(g, false), width: 230, render: (_: unknown, r: FieldRow) => fieldCell(g, r.field) })),
  ];

  // ----------------------------------------------------------------- the page

  const otherProblems = groups.flatMap((g) => problems[g.groupId].other.map((p) => ({ g, p })));
  const conditionGroup = editingCondition && groups.find((g) => g.groupId === editingCondition.groupId);
  const conditionDraft = editingCondition ? drafts[editingCondition.groupId] : null;
  const initialCondition = editingCondition && typeof editingCondition.previous === 'object' ? editingCondition.previous : undefined;

  const saveButton = (
    <Tooltip title={problemCount ? t('saveBlocked') : undefined}>
      <Button type="primary" icon={<SaveOutlined />} disabled={!changed.length || problemCount > 0} loading={saving} onClick={save} data-testid="save-grants">
        {changed.length ? t('saveCount', { count: changed.length }) : t('save')}
      </Button>
    </Tooltip>
  );

  return (
    <>
      <PageCrumbs items={[{ title: t('crumbForms'), href: '/admin/forms' }, { title: data.formName, href: `/admin/forms/${formId}/builder` }, { title: t('title') }]} />
      <PageHeader
        title={t('heading', { form: data.formName })}
        description={t('description')}
        extra={
          groups.length > 0 && (
            <div className={styles.headerActions}>
              <Button icon={<UndoOutlined />} disabled={!changed.length} onClick={reset} data-testid="reset-grants">
                {t('reset')}
              </Button>
              {saveButton}
            </div>
          )
        }
      />
      <FormAdminTabs formId={formId} active="grants" />
      {saved && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setSaved(null) }}
          className={styles.banner}
          title={saved.count ? t('savedTitle', { count: saved.count, groups: saved.names.join('、') }) : t('savedNothing')}
          description={t('savedHelp')}
          data-testid="grants-saved"
        />
      )}
      <Alert type="info" showIcon className={styles.banner} title={t('intro')} />
      {data.publishedVersion === 0 && <Alert type="warning" showIcon className={styles.banner} title={t('draftFields')} />}
      {otherProblems.length > 0 && (
        <Alert
          type="error"
          showIcon
          className={styles.banner}
          title={
            <ul className={styles.problemList}>
              {otherProblems.map(({ g, p }) => (
                <li key={`${g.groupId}:${p}`}>{t('otherProblems', { group: g.groupName, problem: p })}</li>
              ))}
            </ul>
          }
          action={
            <Button
              size="small"
              onClick={() =>
                otherProblems.forEach(({ g }) =>
                  update(g.groupId, (d) => {
                    if (!d?.fields) return d;
                    const keep = Object.fromEntries(Object.entries(d.fields).filter(([k]) => k === OTHER || fields.some((f) => f.key === k)));
                    return { ...d, fields: keep };
                  }),
                )
              }
            >
              {t('removeUnknownFields')}
            </Button>
          }
        />
      )}

      {groups.length === 0 ? (
        <Card variant="outlined">
          <Empty description={t('noGroups')}>
            <Link href="/admin/groups">
              <Button type="primary">{t('manageGroups')}</Button>
            </Link>
          </Empty>
        </Card>
      ) : (
        <>
          <Card
            variant="outlined"
            className={styles.section}
            title={t('actionsTitle')}
            extra={<span className={styles.sectionHelp}>{t('actionsHelp')}</span>}
            data-hydrated={hydrated ? 'true' : undefined}
            data-testid="grants-editor"
          >
            <Table
              size="small"
              pagination={false}
              rowKey="key"
              bordered
              dataSource={recordActions.map((a) => ({ key: a }))}
              columns={actionColumns}
              rowClassName={(r) => (SENSITIVE.includes(r.key) ? styles.sensitiveRow : '')}
              scroll={{ x: 'max-content' }}
              className={styles.matrix}
              data-testid="actions-matrix"
            />
          </Card>

          <Card
            variant="outlined"
            className={styles.section}
            title={
              <span>
                {t('fieldsTitle')}
                <Tooltip title={t('fieldsHelp')}>
                  <InfoCircleOutlined className={styles.hint} />
                </Tooltip>
              </span>
            }
            extra={<span className={styles.sectionHelp}>{t('fieldsHelp')}</span>}
          >
            {fields.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noFields')} />
            ) : (
              <Table
                size="small"
                pagination={false}
                rowKey="key"
                bordered
                dataSource={fieldRows}
                columns={fieldColumns}
                rowClassName={(r) => (r.field ? '' : styles.otherRow)}
                scroll={{ x: 'max-content' }}
                className={styles.matrix}
                data-testid="fields-matrix"
              />
            )}
          </Card>

          <Collapse
            size="small"
            ghost
            className={styles.json}
            items={[
              {
                key: 'json',
                label: (
                  <span>
                    <CodeOutlined /> {t('json')}
                  </span>
                ),
                children: (
                  <div className={styles.jsonList}>
                    {groups.map((g) => {
                      const stored = toStored(drafts[g.groupId]);
                      return (
                        <div key={g.groupId}>
                          <div className={styles.jsonGroup}>{g.groupName}</div>
                          <pre className={styles.pre}>{stored ? JSON.stringify(stored, null, 2) : t('jsonNone')}</pre>
                        </div>
                      );
                    })}
                  </div>
                ),
              },
            ]}
          />
        </>
      )}
      <Typography.Paragraph type="secondary" className={styles.foot}>
        {t('foot')}{' '}
        <Link href="/admin/groups">{t('manageGroups')}</Link>
      </Typography.Paragraph>

      {editingCondition && conditionGroup && (
        <ConditionEditor
          title={t('condition.title', { group: conditionGroup.groupName, action: t(`actions.${editingCondition.action}`) })}
          fields={fields}
          hiddenKeys={new Set(fields.filter((f) => modeIn(conditionDraft, f.key) === 'hidden').map((f) => f.key))}
          initial={initialCondition}
          check={(c) => {
            const next = toStored(setScope(conditionDraft, editingCondition.action, c));
            if (!next) return [];
            return grantProblems(next, policyFields)
              .filter((p) => {
                const place = grantProblemPlace(p);
                return 'action' in place && place.action === editingCondition.action;
              })
              .map((p) => grantProblemText(locale, p, titleOf));
          }}
          onOk={(c) => {
            update(editingCondition.groupId, (d) => setScope(d, editingCondition.action, c));
            setEditingCondition(null);
          }}
          onCancel={() => setEditingCondition(null)}
        />
      )}
    </>
  );
}
