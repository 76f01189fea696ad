'use client';
/**
 * An admin's view of one user's API tokens: names, prefixes, last use,
 * expiry, and a revoke button. Never the secret (the server has only hashes).
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Drawer, Popconfirm, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslations } from 'next-intl';
import { useFormatDateTime } from '../date-time';
import { useRunAction, type Action } from '../action-result';
import { TokenStatus, type ApiToken } from '../tokens/tokens-manager';
import { StopOutlined } from '../icons';

export interface UserTokensActions {
  listUserTokens: Action<{ userId: string }, ApiToken[]>;
  revokeUserToken: Action<{ userId: string; tokenId: string }>;
}

export function UserTokensDrawer({ user, actions, onClose }: { user: { id: string; name: string } | null; actions: UserTokensActions; onClose: () => void }) {
  const t = useTranslations('tokens');
  const tc = useTranslations('common');
  const run = useRunAction();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const dateTime = useFormatDateTime();

  const load = useCallback(
    async (userId: string) => {
      const result = await run(() => actions.listUserTokens({ userId }), { refresh: false });
      setTokens(result.ok ? result.data : []);
    },
    [actions, run],
  );

  useEffect(() => {
    setTokens(null);
    if (user) void load(user.id);
  }, [user, load]);

  const revoke = async (tok: ApiToken) => {
    if (!user) return;
    const result = await run(() => actions.revokeUserToken({ userId: user.id, tokenId: tok.id }), { success: t('admin.revoked', { name: tok.name }), refresh: false });
    if (result.ok) await load(user.id);
  };

  const columns: TableColumnsType<ApiToken> = [
    {
      title: t('columns.name'),
      key: 'name',
      render: (_, tok) => (
        <>
          {tok.name} <Typography.Text code>{`${tok.prefix}…`}</Typography.Text>
          {tok.readOnly && <Tag style={{ marginInlineStart: 4 }}>{t('readOnly')}</Tag>}
        </>
      ),
    },
    {
      title: t('columns.lastUsedAt'),
      key: 'lastUsedAt',
      render: (_, tok) => (tok.lastUsedAt ? dateTime(tok.lastUsedAt) : <Typography.Text type="secondary">{t('neverUsed')}</Typography.Text>),
    },
    { title: t('columns.status'), key: 'status', render: (_, tok) => <TokenStatus token={tok} dateTime={dateTime} /> },
    {
      title: tc('table.actions'),
      key: 'actions',
      render: (_, tok) =>
        tok.revokedAt ? null : (
          <Popconfirm
            title={t('revokeConfirmTitle', { name: tok.name })}
            description={t('admin.revokeConfirmText')}
            okText={t('revoke')}
            okButtonProps={{ danger: true }}
            cancelText={tc('actions.cancel')}
            onConfirm={() => revoke(tok)}
          >
            <Button type="link" size="small" danger icon={<StopOutlined />} data-testid="admin-revoke-token">
              {t('revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Drawer open={user !== null} title={user ? t('admin.title', { name: user.name }) : ''} size="large" onClose={onClose} destroyOnHidden>
      <Alert type="info" showIcon title={t('admin.note')} style={{ marginBottom: 16 }} />
      <Table<ApiToken>
        rowKey="id"
        columns={columns}
        dataSource={tokens ?? []}
        loading={tokens === null}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('admin.empty') }}
        scroll={{ x: 'max-content' }}
      />
    </Drawer>
  );
}
