'use client';
/**
 * Who may do what on one form, per user group: actions (view, create, edit,
 * delete) with their row scope, and how each field appears to the group.
 * Each group's grant is saved on its own with setFormGrant; no grant means
 * no access, and turning every action off removes the grant.
 */
import { useMemo, useState } from 'react';
import Link from 'next/link';
import { Alert, Button, Card, Collapse, Empty, Popconfirm, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import { useRunAction, type Action } from '../action-result';
import { PageHeader } from '../page-header';
import { useUnsavedChangesGuard } from '../use-unsaved-changes-guard';
import { PageCrumbs } from '../records/page-crumbs';
import { FormAdminTabs } from './form-admin-tabs';
import styles from './grants.module.css';
import { CodeOutlined, InfoCircleOutlined, SaveOutlined, TeamOutlined, UndoOutlined } from '../icons';
import type { SetFormGrantInput } from '@/lib/forms/operations';
import { fieldModes, recordActions, rowScopes, type FieldMode, type RecordAction, type RowScopeName } from '@/lib/policy/grants';

type ActionName = RecordAction;
type ScopedAction = Exclude<ActionName, 'create'>;
type Scope = RowScopeName;

// The vocabulary policy decides on (lib/policy/grants.ts), not a copy of it.
const ACTIONS: readonly ActionName[] = recordActions;
const SCOPES: readonly Scope[] = rowScopes;
const MODES: readonly FieldMode[] = fieldModes;
const MODE_COLORS: Record<FieldMode, string> = { hidden: 'default', masked: 'purple', read: 'blue', write: 'green' };

/** A grant as stored (docs/operations.md); `fields` only where the grant schema has field modes. */
export type GrantValue = {
  actions: Partial<Record<ActionName, { scope?: Scope } | Record<string, never>>>;
  fields?: Record<string, FieldMode>;
};

export interface GrantGroup {
  groupId: string;
  groupName: string;
  grant: GrantValue | null;
  /** False when the stored grant does not pass the grant schema: policy then ignores it (no access). */
  valid: boolean;
}

interface Editing {
  actions: Partial<Record<ActionName, { scope?: Scope }>>;
  fields: Record<string, FieldMode>;
}

function toEditing(grant: GrantValue | null): Editing {
  const actions: Editing['actions'] = {};
  for (const a of ACTIONS) {
    const rule = (grant?.actions as Record<string, { scope?: Scope } | undefined> | undefined)?.[a];
    if (rule) actions[a] = a === 'create' ? {} : { scope: rule.scope ?? 'own' };
  }
  return { actions, fields: { ...(grant?.fields ?? {}) } as Record<string, FieldMode> };
}

/** The grant as stored: null when nothing is allowed (which removes it). */
function toGrant(e: Editing, fieldModes: boolean): GrantValue | null {
  const actions: Record<string, unknown> = {};
  for (const a of ACTIONS) {
    const rule = e.actions[a];
    if (!rule) continue;
    actions[a] = a === 'create' ? {} : { scope: rule.scope ?? 'own' };
  }
  if (Object.keys(actions).length === 0) return null;
  const grant: GrantValue = { actions: actions as GrantValue['actions'] };
  if (fieldModes && Object.keys(e.fields).length) grant.fields = { ...e.fields };
  return grant;
}

function GroupGrant({
  formId,
  group,
  fields,
  fieldModes,
  setGrantAction,
}: {
  formId: string;
  group: GrantGroup;
  fields: { key: string; title: string }[];
  fieldModes: boolean;
  setGrantAction: Action<SetFormGrantInput, { ok: true }>;
}) {
  const t = useTranslations('grants');
  const run = useRunAction();
  const [editing, setEditing] = useState<Editing>(() => toEditing(group.grant));
  const [saving, setSaving] = useState(false);
  const grant = useMemo(() => toGrant(editing, fieldModes), [editing, fieldModes]);
  // A stored grant the schema refuses counts as a change: saving it again repairs it.
  // (Compared through toGrant: JSONB does not keep key order.)
  const dirty = !group.valid || JSON.stringify(grant) !== JSON.stringify(toGrant(toEditing(group.grant), fieldModes));
  const defaultMode: FieldMode = editing.fields['*'] ?? 'hidden';
  // Only a change the admin made (not a stored grant that needs repair) holds them on the page.
  useUnsavedChangesGuard(JSON.stringify(grant) !== JSON.stringify(toGrant(toEditing(group.grant), fieldModes)));

  const setAction = (a: ActionName, on: boolean) =>
    setEditing((e) => {
      const actions = { ...e.actions };
      if (!on) delete actions[a];
      else actions[a] = a === 'create' ? {} : { scope: actions[a]?.scope ?? 'own' };
      // Editing or deleting a row starts from finding it: those rights need view.
      if (on && (a === 'edit' || a === 'delete') && !actions.view) actions.view = { scope: actions[a]?.scope ?? 'own' };
      const fieldsNext = { ...e.fields };
      // A first grant shows every field read-only until the admin says otherwise.
      if (on && !e.fields['*']) fieldsNext['*'] = a === 'create' || a === 'edit' ? 'write' : 'read';
      return { actions, fields: fieldsNext };
    });
  const setScope = (a: ScopedAction, scope: Scope) => setEditing((e) => ({ ...e, actions: { ...e.actions, [a]: { scope } } }));
  const setMode = (key: string, mode: FieldMode | undefined) =>
    setEditing((e) => {
      const f = { ...e.fields };
      if (mode) f[key] = mode;
      else delete f[key];
      return { ...e, fields: f };
    });

  const save = async (value: GrantValue | null) => {
    setSaving(true);
    try {
      await run(() => setGrantAction({ formId, groupId: group.groupId, grant: value }), { success: value ? t('saved', { group: group.groupName }) : t('removed', { group: group.groupName }) });
    } finally {
      setSaving(false);
    }
  };

  const warnings: string[] = [];
  const canWrite = editing.actions.create || editing.actions.edit;
  if (fieldModes && canWrite && !Object.values(editing.fields).includes('write')) warnings.push(t('warnNoWritable'));

  const actionRows = ACTIONS.map((a) => ({ key: a, action: a }));

  return (
    <Card
      variant="outlined"
      className={styles.card}
      data-testid={`grant-${group.groupName}`}
      title={
        <span className={styles.cardTitle}>
          <span className={styles.groupIcon}>
            <TeamOutlined />
          </span>
          {group.groupName}
          {group.grant && !group.valid ? (
            <Tooltip title={t('invalidHelp')}>
              <Tag color="error" variant="filled">
                {t('invalid')}
              </Tag>
            </Tooltip>
          ) : group.grant ? (
            <Tag color="success" variant="filled">
              {t('granted')}
            </Tag>
          ) : (
            <Tag variant="filled">{t('notGranted')}</Tag>
          )}
          {dirty && (
            <Tag color="warning" variant="filled">
              {t('unsaved')}
            </Tag>
          )}
        </span>
      }
      extra={
        <Space>
          {group.grant && (
            <Popconfirm title={t('removeConfirm', { group: group.groupName })} okButtonProps={{ danger: true }} okText={t('remove')} cancelText={t('cancel')} onConfirm={() => save(null)}>
              <Button danger type="text" size="small">
                {t('remove')}
              </Button>
            </Popconfirm>
          )}
          <Button size="small" icon={<UndoOutlined />} disabled={!dirty} onClick={() => setEditing(toEditing(group.grant))}>
            {t('reset')}
          </Button>
          <Button size="small" type="primary" icon={<SaveOutlined />} disabled={!dirty} loading={saving} onClick={() => save(grant)} data-testid={`save-grant-${group.groupName}`}>
            {t('save')}
          </Button>
        </Space>
      }
    >
      <div className={styles.body}>
        <div className={styles.section}>
          <div className={styles.sectionTitle}>{t('actionsTitle')}</div>
          <Table
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={actionRows}
            className={styles.actionsTable}
            columns={[
              {
                key: 'action',
                title: t('action'),
                render: (_, r) => (
                  <span>
                    <span className={styles.actionName}>{t(`actions.${r.action}`)}</span>
                    <span className={styles.actionHelp}>{t(`actionHelp.${r.action}`)}</span>
                  </span>
                ),
              },
              {
                key: 'allowed',
                title: t('allowed'),
                width: 80,
                render: (_, r) => (
                  <Switch
                    size="small"
                    checked={Boolean(editing.actions[r.action])}
                    onChange={(on) => setAction(r.action, on)}
                    aria-label={t(`actions.${r.action}`)}
                    data-testid={`switch-${group.groupName}-${r.action}`}
                  />
                ),
              },
              {
                key: 'scope',
                title: t('scope'),
                width: 150,
                render: (_, r) =>
                  r.action === 'create' ? (
                    <span className={styles.muted}>—</span>
                  ) : (
                    <Select
                      size="small"
                      style={{ width: 130 }}
                      disabled={!editing.actions[r.action]}
                      value={editing.actions[r.action]?.scope ?? 'own'}
                      onChange={(v: Scope) => setScope(r.action as ScopedAction, v)}
                      options={SCOPES.map((s) => ({ value: s, label: t(`scopes.${s}`) }))}
                    />
                  ),
              },
            ]}
          />
        </div>

        {fieldModes ? (
          <div className={styles.section}>
            <div className={styles.sectionTitle}>
              {t('fieldsTitle')}
              <Tooltip title={t('fieldsHelp')}>
                <InfoCircleOutlined className={styles.hint} />
              </Tooltip>
            </div>
            <div className={styles.defaultMode}>
              <span>{t('defaultMode')}</span>
              <Select
                size="small"
                style={{ width: 140 }}
                value={defaultMode}
                onChange={(v: FieldMode) => setMode('*', v)}
                options={MODES.map((m) => ({ value: m, label: t(`modes.${m}`) }))}
              />
            </div>
            <div className={styles.fieldList}>
              {fields.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noFields')} />}
              {fields.map((f) => {
                const own = editing.fields[f.key];
                const effective = own ?? defaultMode;
                return (
                  <div key={f.key} className={styles.fieldRow}>
                    <span className={styles.fieldTitle}>
                      {f.title}
                      <code className={styles.fieldKey}>{f.key}</code>
                    </span>
                    <Select
                      size="small"
                      style={{ width: 150 }}
                      value={own ?? ''}
                      onChange={(v: string) => setMode(f.key, (v || undefined) as FieldMode | undefined)}
                      options={[
                        { value: '', label: t('inherit', { mode: t(`modes.${defaultMode}`) }) },
                        ...MODES.map((m) => ({ value: m, label: t(`modes.${m}`) })),
                      ]}
                    />
                    <Tag color={MODE_COLORS[effective]} variant="filled" className={styles.modeTag}>
                      {t(`modes.${effective}`)}
                    </Tag>
                  </div>
                );
              })}
            </div>
          </div>
        ) : (
          <div className={styles.section}>
            <div className={styles.sectionTitle}>{t('fieldsTitle')}</div>
            <div className={styles.fieldsPending}>
              <div className={styles.fieldsPendingTitle}>{t('fieldModesPendingTitle')}</div>
              <div>{t('fieldModesPending')}</div>
            </div>
          </div>
        )}
      </div>

      {group.grant && !group.valid && <Alert type="error" showIcon title={t('invalidAlert')} className={styles.warning} />}
      {warnings.map((w) => (
        <Alert key={w} type="warning" showIcon title={w} className={styles.warning} />
      ))}

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
            children: <pre className={styles.pre}>{grant ? JSON.stringify(grant, null, 2) : t('jsonNone')}</pre>,
          },
        ]}
      />
    </Card>
  );
}

export function GrantsEditor({
  formId,
  formName,
  fields,
  groups,
  fieldModes,
  setGrantAction,
}: {
  formId: string;
  formName: string;
  fields: { key: string; title: string }[];
  groups: GrantGroup[];
  /** Whether grants carry field modes (the grant schema has `fields`); until policy enforces them they are refused. */
  fieldModes: boolean;
  setGrantAction: Action<SetFormGrantInput, { ok: true }>;
}) {
  const t = useTranslations('grants');
  return (
    <>
      <PageCrumbs items={[{ title: t('crumbForms'), href: '/admin/forms' }, { title: formName, href: `/admin/forms/${formId}/builder` }, { title: t('title') }]} />
      <PageHeader title={t('heading', { form: formName })} description={t('description')} />
      <FormAdminTabs formId={formId} active="grants" />
      <Alert type="info" showIcon className={styles.intro} style={{ marginBottom: 16 }} title={t('intro')} />
      {groups.length === 0 ? (
        <Card variant="outlined">
          <Empty description={t('noGroups')}>
            <Link href="/admin/groups">
              <Button type="primary">{t('manageGroups')}</Button>
            </Link>
          </Empty>
        </Card>
      ) : (
        <div className={styles.list}>
          {groups.map((g) => (
            <GroupGrant
              key={`${g.groupId}:${JSON.stringify(g.grant)}:${g.valid}`}
              formId={formId}
              group={g}
              fields={fields}
              fieldModes={fieldModes}
              setGrantAction={setGrantAction}
            />
          ))}
        </div>
      )}
      <Typography.Paragraph type="secondary" className={styles.foot}>
        {t('foot')} <Link href="/admin/groups">{t('manageGroups')}</Link>
      </Typography.Paragraph>
    </>
  );
}
