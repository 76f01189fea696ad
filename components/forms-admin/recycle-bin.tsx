'use client';
/** Deleted records of one form, newest first, each restorable by an administrator. */
import { useMemo, useState } from 'react';
import Link from 'next/link';
import { Alert, Button, Card, Empty, Popconfirm, Table, type TableProps } from 'antd';
import { useTranslations } from 'next-intl';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import { useRunAction, type Action } from '../action-result';
import { PageHeader } from '../page-header';
import { DateTime } from '../date-time';
import { FieldValue } from '../record-form/field-value';
import { PageCrumbs } from '../records/page-crumbs';
import type { RecordItem } from '../records/types';
import { FormAdminTabs } from './form-admin-tabs';
import styles from './forms-admin.module.css';
import { UndoOutlined } from '../icons';

export type DeletedRecordItem = RecordItem & { deletedAt: string; deletedBy: string | null };

export function RecycleBin({
  formId,
  formName,
  definition,
  records,
  notice,
  restoreAction,
}: {
  formId: string;
  formName: string;
  definition: FormDefinition | null;
  /** null when the admin may not view this form's records (no group grant). */
  records: DeletedRecordItem[] | null;
  notice?: string;
  restoreAction: Action<{ formId: string; recordId: string }, { id: string }>;
}) {
  const t = useTranslations('records.recycle');
  const run = useRunAction();
  const [busy, setBusy] = useState<string | null>(null);
  const fields = useMemo(() => (definition ? fieldsOf(definition).filter((f) => f.kind !== 'owner').slice(0, 4) : []), [definition]);

  const columns: TableProps<DeletedRecordItem>['columns'] = [
    ...fields.map((f) => ({
      key: f.key,
      title: f.schema.title,
      render: (_: unknown, r: DeletedRecordItem) => <FieldValue field={f} value={r.values[f.key]} compact />,
    })),
    { key: 'owner', title: t('owner'), width: 120, render: (_: unknown, r: DeletedRecordItem) => r.owner.name },
    {
      key: 'deletedAt',
      title: t('deletedAt'),
      width: 170,
      render: (_: unknown, r: DeletedRecordItem) => <DateTime className={styles.time} value={r.deletedAt} />,
    },
    { key: 'deletedBy', title: t('deletedBy'), width: 120, render: (_: unknown, r: DeletedRecordItem) => r.deletedBy ?? '—' },
    {
      key: 'actions',
      title: t('actions'),
      width: 110,
      render: (_: unknown, r: DeletedRecordItem) => (
        <Popconfirm
          title={t('restoreConfirm')}
          okText={t('restore')}
          cancelText={t('cancel')}
          onConfirm={async () => {
            setBusy(r.id);
            try {
              await run(() => restoreAction({ formId, recordId: r.id }), { success: t('restored') });
            } finally {
              setBusy(null);
            }
          }}
        >
          <Button size="small" icon={<UndoOutlined />} loading={busy === r.id} data-testid={`restore-record-${r.id}`}>
            {t('restore')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <>
      <PageCrumbs items={[{ title: t('crumbForms'), href: '/admin/forms' }, { title: formName, href: `/admin/forms/${formId}/builder` }, { title: t('title') }]} />
      <PageHeader title={t('heading', { form: formName })} description={t('description')} />
      <FormAdminTabs formId={formId} active="recycle-bin" />
      {notice && <Alert type="info" showIcon title={notice} style={{ marginBottom: 16 }} action={<Link href={`/admin/forms/${formId}/grants`}><Button size="small">{t('toGrants')}</Button></Link>} />}
      {records && (
        <Card variant="outlined" styles={{ body: { padding: 0 } }}>
          <Table<DeletedRecordItem>
            rowKey="id"
            columns={columns}
            dataSource={records}
            scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('total', { n }) }}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} style={{ padding: '32px 0' }} /> }}
          />
        </Card>
      )}
    </>
  );
}
