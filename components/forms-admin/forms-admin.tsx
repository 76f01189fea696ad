'use client';
/** Forms, for administrators: the list, and creating a new one (which opens the builder). */
import { useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { App, Button, Card, Empty, Form, Input, Modal, Space, Table, Tag, Tooltip, type TableProps } from 'antd';
import { useTranslations } from 'next-intl';
import type { Action } from '../action-result';
import { DateTime } from '../date-time';
import { PageHeader } from '../page-header';
import { PageCrumbs } from '../records/page-crumbs';
import styles from './forms-admin.module.css';
import { AppstoreOutlined, DeleteOutlined, EditOutlined, FormOutlined, PlusOutlined, SafetyCertificateOutlined } from '../icons';

export type { AdminFormSummary as AdminFormRow } from '@/lib/forms/operations';
import type { AdminFormSummary as AdminFormRow } from '@/lib/forms/operations';

export function FormsAdmin({
  forms,
  createAction,
}: {
  forms: AdminFormRow[];
  createAction: Action<{ name: string; description?: string }, { id: string }>;
}) {
  const t = useTranslations('builder.list');
  const router = useRouter();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ name: string; description?: string }>();

  const create = async (values: { name: string; description?: string }) => {
    setCreating(true);
    try {
      const result = await createAction({ name: values.name.trim(), ...(values.description?.trim() ? { description: values.description.trim() } : {}) });
      if (!result.ok) {
        const fields = result.error.fields ?? {};
        if (fields.name) form.setFields([{ name: 'name', errors: [fields.name] }]);
        else message.error(result.error.message);
        return;
      }
      message.success(t('created'));
      setOpen(false);
      router.push(`/admin/forms/${result.data.id}/builder`);
    } catch {
      message.error(t('networkError'));
    } finally {
      setCreating(false);
    }
  };

  const columns: TableProps<AdminFormRow>['columns'] = [
    {
      key: 'name',
      title: t('name'),
      render: (_, f) => (
        <div className={styles.formName}>
          <span className={styles.formIcon}>
            <FormOutlined />
          </span>
          <div style={{ minWidth: 0 }}>
            <Link href={`/admin/forms/${f.id}/builder`} className={styles.formLink}>
              {f.name}
            </Link>
            {f.description && <div className={styles.formDesc}>{f.description}</div>}
          </div>
        </div>
      ),
    },
    {
      key: 'status',
      title: t('status'),
      width: 220,
      render: (_, f) =>
        f.publishedVersion === 0 ? (
          <Tag variant="filled">{t('draft')}</Tag>
        ) : (
          <Space size={4}>
            <Tag color="success" variant="filled">
              {t('published', { v: f.publishedVersion })}
            </Tag>
            {f.hasUnpublishedChanges && (
              <Tag color="warning" variant="filled">
                {t('unpublished')}
              </Tag>
            )}
          </Space>
        ),
    },
    {
      key: 'records',
      title: t('records'),
      width: 120,
      align: 'right',
      render: (_, f) => <span className={styles.count}>{f.recordCount === null ? '—' : f.recordCount.toLocaleString()}</span>,
    },
    {
      key: 'updatedAt',
      title: t('updatedAt'),
      width: 170,
      render: (_, f) => <DateTime className={styles.time} value={f.updatedAt} />,
    },
    {
      key: 'actions',
      title: t('actions'),
      width: 330,
      render: (_, f) => (
        <Space size={0} className={styles.rowActions}>
          <Link href={`/admin/forms/${f.id}/builder`}>
            <Button type="link" size="small" icon={<EditOutlined />}>
              {t('design')}
            </Button>
          </Link>
          <Link href={`/admin/forms/${f.id}/grants`}>
            <Button type="link" size="small" icon={<SafetyCertificateOutlined />}>
              {t('grants')}
            </Button>
          </Link>
          <Link href={`/admin/forms/${f.id}/recycle-bin`}>
            <Button type="link" size="small" icon={<DeleteOutlined />}>
              {t('recycleBin')}
            </Button>
          </Link>
          {f.publishedVersion > 0 &&
            // recordCount is null when none of the admin's groups may view the form: the app page
            // would only say 记录不存在或无权访问, so say why instead of linking there.
            (f.recordCount !== null ? (
              <Tooltip title={t('openAppHelp')}>
                <Link href={`/apps/${f.id}`}>
                  <Button type="link" size="small" icon={<AppstoreOutlined />} data-testid={`open-app-${f.id}`}>
                    {t('openApp')}
                  </Button>
                </Link>
              </Tooltip>
            ) : (
              <Tooltip title={t('openAppNoGrant')}>
                <Button type="link" size="small" icon={<AppstoreOutlined />} disabled data-testid={`open-app-${f.id}`}>
                  {t('openApp')}
                </Button>
              </Tooltip>
            ))}
        </Space>
      ),
    },
  ];

  const newButton = (
    <Button
      type="primary"
      icon={<PlusOutlined />}
      onClick={() => setOpen(true)}
      data-testid="create-form"
    >
      {t('create')}
    </Button>
  );

  return (
    <>
      <PageCrumbs items={[{ title: t('admin') }, { title: t('title') }]} />
      <PageHeader title={t('title')} description={t('description')} extra={newButton} />
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<AdminFormRow>
          rowKey="id"
          columns={columns}
          dataSource={forms}
          pagination={false}
          locale={{
            emptyText: (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} style={{ padding: '32px 0' }}>
                {newButton}
              </Empty>
            ),
          }}
        />
      </Card>

      <Modal
        open={open}
        title={t('createTitle')}
        okText={t('createOk')}
        cancelText={t('cancel')}
        confirmLoading={creating}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <p className={styles.modalHint}>{t('createHint')}</p>
        <Form form={form} layout="vertical" onFinish={create} requiredMark preserve={false}>
          <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 100 }]}>
            <Input placeholder={t('namePlaceholder')} maxLength={100} autoFocus data-testid="new-form-name" />
          </Form.Item>
          <Form.Item name="description" label={t('descriptionLabel')} rules={[{ max: 500 }]}>
            <Input.TextArea placeholder={t('descriptionPlaceholder')} maxLength={500} showCount autoSize={{ minRows: 3, maxRows: 6 }} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
