'use client';
/**
 * One record: read-only first; 编辑 switches to the form when the user may
 * edit it. Saves send only the changed fields with the version the editor
 * started from; a newer version on the server is a conflict, shown with a
 * reload, never silently overwritten.
 */
import { useMemo, useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Alert, App, Button, Card, Popconfirm, Space, Tag, Tooltip } from 'antd';
import { useTranslations } from 'next-intl';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import type { Action } from '../action-result';
import { PageHeader } from '../page-header';
import { DateTime, useFormatDateTime } from '../date-time';
import { RecordForm } from '../record-form/record-form';
import { changedValues } from '../record-form/record-values';
import type { UserOption } from '../record-form/types';
import { PageCrumbs, type Crumb } from './page-crumbs';
import type { RecordItem } from './types';
import { RevealButton, type RevealAction } from './reveal-button';
import styles from './records.module.css';
import { DeleteOutlined, EditOutlined, LockOutlined, ReloadOutlined } from '../icons';

export function RecordDetail({
  formId,
  form,
  record,
  userOptions,
  updateAction,
  deleteAction,
  revealAction,
  readOnly,
}: {
  formId: string;
  /** The form as the caller may see it (hidden fields are not in it). */
  form: { name: string; version: number; definition: FormDefinition };
  record: RecordItem;
  /** The owners the caller may pick (only the current one when it may not assign). */
  userOptions: UserOption[];
  revealAction?: RevealAction;
  updateAction?: Action<{ formId: string; recordId: string; version: number; values: Record<string, unknown> }, RecordItem>;
  deleteAction?: Action<{ formId: string; recordId: string; version?: number }, { id: string }>;
  /** View-as: no edit or delete whatever the record allows; back to the list at `listHref`, the admin's crumbs. */
  readOnly?: { listHref: string; crumbs: Crumb[] };
}) {
  const t = useTranslations('records.detail');
  const router = useRouter();
  const { message } = App.useApp();
  const [editing, setEditing] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const formatTime = useFormatDateTime();

  const fields = useMemo(() => fieldsOf(form.definition), [form.definition]);
  const titleField = fields.find((f) => f.kind === 'text' && typeof record.values[f.key] === 'string' && record.values[f.key]);
  const title = titleField ? String(record.values[titleField.key]) : t('title');
  const encrypted = fields.filter((f) => f.schema['x-encrypted']);
  const unreadable = fields.filter((f) => record.unreadable?.includes(f.key));
  // The editor shows only what the caller may write on this record (the owner only when it
  // may give the record to someone else); the server keeps an unreadable value the edit
  // leaves alone, so the form must not demand it either.
  const editDefinition = useMemo(() => {
    const ownerKey = fields.find((f) => f.kind === 'owner')?.key;
    const writable = new Set(
      fields.filter((f) => (f.key === ownerKey ? record.can.assign && userOptions.length > 1 : record.modes[f.key] === 'write')).map((f) => f.key),
    );
    return {
      ...form.definition,
      properties: Object.fromEntries(Object.entries(form.definition.properties).filter(([k]) => writable.has(k))),
      'x-order': form.definition['x-order'].filter((k) => writable.has(k)),
      required: (form.definition.required ?? []).filter((k) => writable.has(k) && !record.unreadable?.includes(k)),
    };
  }, [fields, form.definition, record.modes, record.can.assign, record.unreadable, userOptions.length]);
  const maskedKeys = useMemo(() => Object.entries(record.modes).filter(([, m]) => m === 'masked').map(([k]) => k), [record.modes]);
  const revealButtons = Object.fromEntries(
    readOnly || !revealAction
      ? []
      : record.revealable.map((r) => [
          r.field,
          <RevealButton
            key={r.field}
            formId={formId}
            recordId={record.id}
            field={r.field}
            fieldTitle={fields.find((f) => f.key === r.field)?.schema.title ?? r.field}
            reasonRequired={r.reasonRequired}
            revealAction={revealAction}
          />,
        ]),
  );
  const listHref = readOnly?.listHref ?? `/apps/${formId}`;

  const reload = () => {
    setConflict(false);
    setEditing(false);
    router.refresh();
  };

  const remove = async () => {
    if (!deleteAction) return;
    setDeleting(true);
    try {
      const result = await deleteAction({ formId, recordId: record.id, version: record.version });
      if (!result.ok) {
        if (result.error.code === 'conflict') {
          setConflict(true);
          window.scrollTo({ top: 0, behavior: 'smooth' });
        } else message.error(result.error.message);
        return;
      }
      message.success(t('deleted'));
      router.push(listHref);
    } catch {
      message.error(t('networkError'));
    } finally {
      setDeleting(false);
    }
  };

  const actions = !readOnly && (
    <Space>
      {!readOnly && record.can.edit && updateAction && !editing && (
        <Button type="primary" icon={<EditOutlined />} onClick={() => setEditing(true)} disabled={conflict} data-testid="edit-record">
          {t('edit')}
        </Button>
      )}
      {!readOnly && record.can.delete && deleteAction && (
        <Popconfirm
          title={t('deleteTitle')}
          description={t('deleteConfirm')}
          okText={t('delete')}
          cancelText={t('cancel')}
          okButtonProps={{ danger: true, loading: deleting }}
          onConfirm={remove}
        >
          <Button danger icon={<DeleteOutlined />} data-testid="delete-record">
            {t('delete')}
          </Button>
        </Popconfirm>
      )}
    </Space>
  );

  return (
    <>
      <PageCrumbs items={[...(readOnly?.crumbs ?? [{ title: t('workbench'), href: '/apps' }, { title: form.name, href: listHref }]), { title }]} />
      <PageHeader
        title={
          <span className={styles.headerTitle}>
            {title}
            {editing && (
              <Tag color="processing" variant="filled">
                {t('editing')}
              </Tag>
            )}
            {!record.can.edit && (
              <Tag variant="filled">{t('readOnly')}</Tag>
            )}
          </span>
        }
        description={t('subtitle', { form: form.name, time: formatTime(record.updatedAt) })}
        extra={actions}
      />

      {conflict && (
        <Alert
          type="warning"
          showIcon
          className={styles.conflict}
          title={t('conflictTitle')}
          description={t('conflictText')}
          action={
            <Button icon={<ReloadOutlined />} onClick={reload} data-testid="reload-record">
              {t('reload')}
            </Button>
          }
          data-testid="conflict-alert"
        />
      )}

      {unreadable.length > 0 && (
        <Alert
          type="error"
          showIcon
          className={styles.conflict}
          title={t('unreadableTitle', { fields: unreadable.map((f) => f.schema.title).join('、') })}
          description={t('unreadableText')}
          data-testid="unreadable-alert"
        />
      )}

      <div className={styles.recordGrid}>
        <Card variant="outlined" title={editing ? t('editTitle') : t('detailsTitle')}>
          {editing ? (
            <RecordForm
              key={`${record.id}:${record.version}`}
              definition={editDefinition}
              initialValues={record.values}
              mode="edit"
              userOptions={userOptions}
              cacheKey={`${formId}:${form.version}:w=${Object.keys(editDefinition.properties).join(',')}${unreadable.length ? `:kept=${unreadable.map((f) => f.key).join(',')}` : ''}`}
              submitDisabled={conflict}
              onCancel={() => setEditing(false)}
              onSubmit={async (values) => {
                const changed = changedValues(editDefinition, record.values, values);
                if (Object.keys(changed).length === 0) {
                  message.info(t('noChanges'));
                  setEditing(false);
                  return { ok: true };
                }
                if (!updateAction) return { ok: false };
                try {
                  const result = await updateAction({ formId, recordId: record.id, version: record.version, values: changed });
                  if (!result.ok) {
                    if (result.error.code === 'conflict') {
                      // Keep what the user typed on screen, save nothing, offer the newer version.
                      setConflict(true);
                      window.scrollTo({ top: 0, behavior: 'smooth' });
                      return { ok: false };
                    }
                    return { ok: false, error: result.error };
                  }
                  message.success(t('saved'));
                  setEditing(false);
                  router.refresh();
                  return { ok: true };
                } catch {
                  return { ok: false, error: { message: t('networkError') } };
                }
              }}
            />
          ) : (
            <RecordForm
              key={`view:${record.version}`}
              definition={form.definition}
              initialValues={record.values}
              mode="view"
              userOptions={userOptions}
              maskedKeys={maskedKeys}
              valueExtras={revealButtons}
            />
          )}
        </Card>

        <div className={styles.side}>
          <Card variant="outlined" title={t('infoTitle')} size="small">
            <dl className={styles.metaList}>
              <div>
                <dt>{t('owner')}</dt>
                <dd>{record.owner.name}</dd>
              </div>
              <div>
                <dt>{t('createdAt')}</dt>
                <dd className={styles.time} data-testid="record-created-at">
                  <DateTime value={record.createdAt} />
                </dd>
              </div>
              <div>
                <dt>{t('updatedAt')}</dt>
                <dd className={styles.time} data-testid="record-updated-at">
                  <DateTime value={record.updatedAt} />
                </dd>
              </div>
              <div>
                <dt>{t('versions')}</dt>
                <dd>
                  <Tooltip title={t('recordVersionHelp')}>
                    <Tag variant="filled">{t('recordVersion', { v: record.version })}</Tag>
                  </Tooltip>
                  <Tooltip title={t('formVersionHelp')}>
                    <Tag variant="filled" color="blue">
                      {t('formVersion', { v: record.formVersion })}
                    </Tag>
                  </Tooltip>
                </dd>
              </div>
            </dl>
          </Card>
          <Card
            variant="outlined"
            size="small"
            title={
              <span>
                <LockOutlined style={{ color: '#17a34a', marginRight: 6 }} />
                {t('protectionTitle')}
              </span>
            }
          >
            <div className={styles.protect}>
              {encrypted.length > 0 ? (
                <>
                  {t('encryptedFields')}
                  <ul>
                    {encrypted.map((f) => (
                      <li key={f.key}>{f.schema.title}</li>
                    ))}
                  </ul>
                </>
              ) : (
                t('noEncrypted')
              )}
            </div>
          </Card>
          <Link href={listHref}>
            <Button block>{t('backToList')}</Button>
          </Link>
        </div>
      </div>
    </>
  );
}
