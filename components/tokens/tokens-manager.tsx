'use client';
import { useState } from 'react';
import { Alert, Badge, Button, Card, Form, Input, Modal, Popconfirm, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslations } from 'next-intl';
import { useFormatDateTime } from '../date-time';
import { PageHeader } from '../page-header';
import { useRunAction, type Action } from '../action-result';
import { KeyOutlined, PlusOutlined, StopOutlined } from '../icons';

export type { ApiTokenDTO as ApiToken } from '@/lib/auth/operations';
import type { ApiTokenDTO as ApiToken } from '@/lib/auth/operations';

export interface TokensActions {
  createToken: Action<{ name: string }, { id: string; token: string; prefix: string }>;
  revokeToken: Action<{ tokenId: string }>;
}

/**
 * Personal API tokens. The secret is shown exactly once, right after
 * creation: the server keeps only its hash, so it cannot show it again.
 */
export function TokensManager({ tokens, actions }: { tokens: ApiToken[]; actions: TokensActions }) {
  const t = useTranslations('tokens');
  const tc = useTranslations('common');
  const run = useRunAction();
  const [creating, setCreating] = useState(false);
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [form] = Form.useForm<{ name: string }>();

  const dateTime = useFormatDateTime();

  const create = async () => {
    let values: { name: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const name = values.name.trim();
    const result = await run(() => actions.createToken({ name }), { form });
    setSaving(false);
    if (!result.ok) return;
    setCreating(false);
    setCreated({ name, token: result.data.token });
  };

  const columns: TableColumnsType<ApiToken> = [
    {
      title: t('columns.name'),
      key: 'name',
      render: (_, tok) => (
        <span style={{ fontWeight: 500, color: tok.revokedAt ? '#8a93a6' : undefined }}>
          <KeyOutlined style={{ color: tok.revokedAt ? '#c3c8d4' : '#1f5eff', marginInlineEnd: 8 }} />
          {tok.name}
        </span>
      ),
    },
    {
      title: t('columns.prefix'),
      key: 'prefix',
      render: (_, tok) => <Typography.Text code>{`${tok.prefix}…`}</Typography.Text>,
    },
    { title: t('columns.createdAt'), key: 'createdAt', render: (_, tok) => dateTime(tok.createdAt) },
    {
      title: t('columns.lastUsedAt'),
      key: 'lastUsedAt',
      render: (_, tok) => (tok.lastUsedAt ? dateTime(tok.lastUsedAt) : <Typography.Text type="secondary">{t('neverUsed')}</Typography.Text>),
    },
    {
      title: t('columns.status'),
      key: 'status',
      render: (_, tok) =>
        tok.revokedAt ? (
          <Badge status="default" text={t('revokedAt', { date: dateTime(tok.revokedAt) })} />
        ) : (
          <Badge status="success" text={t('active')} />
        ),
    },
    {
      title: tc('table.actions'),
      key: 'actions',
      width: 110,
      render: (_, tok) =>
        tok.revokedAt ? null : (
          <Popconfirm
            title={t('revokeConfirmTitle', { name: tok.name })}
            description={t('revokeConfirmText')}
            okText={t('revoke')}
            okButtonProps={{ danger: true }}
            cancelText={tc('actions.cancel')}
            onConfirm={() => run(() => actions.revokeToken({ tokenId: tok.id }), { success: t('revoked', { name: tok.name }) })}
          >
            <Button type="link" size="small" danger icon={<StopOutlined />}>
              {t('revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              setCreating(true);
            }}
          >
            {t('create')}
          </Button>
        }
      />
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('usageTitle')}
        description={
          <>
            {t('usageText')}{' '}
            <Typography.Text code copyable={{ text: 'Authorization: Bearer <token>' }}>
              {'Authorization: Bearer <token>'}
            </Typography.Text>
          </>
        }
      />
      <Card variant="borderless" styles={{ body: { padding: 0 } }}>
        <Table<ApiToken>
          rowKey="id"
          columns={columns}
          dataSource={tokens}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: t('empty') }}
          scroll={{ x: 'max-content' }}
        />
      </Card>

      <Modal
        open={creating}
        title={t('createTitle')}
        okText={t('createOk')}
        cancelText={tc('actions.cancel')}
        confirmLoading={saving}
        onOk={create}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false} style={{ marginTop: 16 }} onFinish={create}>
          <Form.Item
            name="name"
            label={t('fields.name')}
            extra={t('fields.nameHelp')}
            rules={[{ required: true, whitespace: true, message: t('fields.nameRequired') }, { max: 100 }]}
            style={{ marginBottom: 0 }}
          >
            <Input placeholder={t('fields.namePlaceholder')} autoComplete="off" autoFocus />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={created !== null}
        title={t('createdTitle')}
        closable={false}
        mask={{ closable: false }}
        keyboard={false}
        footer={
          <Button type="primary" onClick={() => setCreated(null)}>
            {t('savedIt')}
          </Button>
        }
        width={600}
      >
        {created && (
          <>
            <Alert type="warning" showIcon title={t('onceWarning')} style={{ margin: '12px 0 16px' }} />
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t('createdFor', { name: created.name })}
            </Typography.Paragraph>
            <Typography.Paragraph
              className="fw-secret"
              data-testid="new-token"
              copyable={{ text: created.token, tooltips: [tc('actions.copy'), tc('actions.copied')] }}
            >
              {created.token}
            </Typography.Paragraph>
          </>
        )}
      </Modal>
    </>
  );
}
