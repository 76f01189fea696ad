'use client';
import { useState } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Radio, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslations } from 'next-intl';
import { useFormatDateTime } from '../date-time';
import { PageHeader } from '../page-header';
import { useRunAction, type Action } from '../action-result';
import { KeyOutlined, PlusOutlined, StopOutlined } from '../icons';

export type { ApiTokenDTO as ApiToken } from '@/lib/auth/operations';
import type { ApiTokenDTO as ApiToken } from '@/lib/auth/operations';

/** The lifetimes the server accepts (lib/auth/operations.ts TOKEN_LIFETIMES_DAYS); no "never". */
const LIFETIMES = [30, 90, 365] as const;
type Lifetime = (typeof LIFETIMES)[number];

interface CreateValues {
  name: string;
  expiresInDays: Lifetime;
  readOnly: boolean;
}

export interface TokensActions {
  createToken: Action<{ name: string; expiresInDays?: Lifetime; readOnly?: boolean }, { id: string; token: string; prefix: string; expiresAt: string }>;
  revokeToken: Action<{ tokenId: string }>;
}

/** Status of a token as a badge: revoked, expired or active until its expiry. */
export function TokenStatus({ token, dateTime }: { token: ApiToken; dateTime: (iso: string) => string }) {
  const t = useTranslations('tokens');
  if (token.revokedAt) return <Badge status="default" text={t('revokedAt', { date: dateTime(token.revokedAt) })} />;
  if (token.expired) return <Badge status="warning" text={t('expiredAt', { date: dateTime(token.expiresAt) })} />;
  return <Badge status="success" text={t('activeUntil', { date: dateTime(token.expiresAt) })} />;
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
  const [form] = Form.useForm<CreateValues>();

  const dateTime = useFormatDateTime();

  const create = async () => {
    let values: CreateValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const name = values.name.trim();
    const result = await run(() => actions.createToken({ name, expiresInDays: values.expiresInDays, readOnly: values.readOnly }), { form });
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
          {tok.readOnly && (
            <Tag style={{ marginInlineStart: 8 }} data-testid="token-read-only">
              {t('readOnly')}
            </Tag>
          )}
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
      render: (_, tok) => <TokenStatus token={tok} dateTime={dateTime} />,
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
        <Form<CreateValues>
          form={form}
          layout="vertical"
          preserve={false}
          style={{ marginTop: 16 }}
          onFinish={create}
          initialValues={{ expiresInDays: 90, readOnly: false }}
        >
          <Form.Item
            name="name"
            label={t('fields.name')}
            extra={t('fields.nameHelp')}
            rules={[{ required: true, whitespace: true, message: t('fields.nameRequired') }, { max: 100 }]}
          >
            <Input placeholder={t('fields.namePlaceholder')} autoComplete="off" autoFocus />
          </Form.Item>
          <Form.Item name="expiresInDays" label={t('fields.expiresIn')} extra={t('fields.expiresInHelp')}>
            <Radio.Group
              optionType="button"
              options={LIFETIMES.map((days) => ({ value: days, label: t('fields.days', { days }) }))}
            />
          </Form.Item>
          <Form.Item name="readOnly" valuePropName="checked" extra={t('fields.readOnlyHelp')} style={{ marginBottom: 0 }}>
            <Checkbox>{t('fields.readOnly')}</Checkbox>
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
