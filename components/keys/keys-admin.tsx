'use client';
import { useEffect } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Button, Card, Popconfirm, Progress, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslations } from 'next-intl';
import type { KeyStatus, KeyVersionStatus, LookupKeyStatus } from '@/lib/crypto/operations';
import type { JobProgress } from '@/lib/jobs/operations';
import { useFormatDateTime } from '../date-time';
import { PageHeader } from '../page-header';
import { useRunAction, type Action } from '../action-result';
import { LockOutlined, SwapOutlined } from '../icons';

export interface KeysActions {
  rotateKey: Action<Record<string, never>, { version: number; jobId: string }>;
  rotateLookupKey: Action<Record<string, never>, { version: number; jobId: string }>;
}

const duration = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${s} s`);

/**
 * The encryption keys for administrators: where the master key comes from (and a warning when
 * it lies where it should not), the data key versions with what is sealed under each, the
 * rotation button, and the re-encryption job's progress, refreshed while it runs.
 */
export function KeysAdmin({ status, actions }: { status: KeyStatus; actions: KeysActions }) {
  const t = useTranslations('keys');
  const run = useRunAction();
  const router = useRouter();
  const dateTime = useFormatDateTime();
  const job = status.reseal;
  const running = (j: JobProgress) => j.state === 'queued' || j.state === 'running';
  const active = [job, status.reindex, ...status.sealing].some((j) => j && running(j));
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [active, router]);

  const rotate = async () => {
    await run(() => actions.rotateKey({}), { success: t('rotatedShort') });
  };
  const rotateLookup = async () => {
    await run(() => actions.rotateLookupKey({}), { success: t('lookup.rotatedShort') });
  };
  const versionState = (v: { current: boolean; retiredAt: string | null }, old: string) =>
    v.current ? <Tag color="blue">{t('state.current')}</Tag> : v.retiredAt ? <Tag>{t('state.retired')}</Tag> : <Tag color="orange">{old}</Tag>;
  const lookupColumns: TableColumnsType<LookupKeyStatus> = [
    { title: t('columns.version'), key: 'version', render: (_, v) => <Typography.Text strong>v{v.version}</Typography.Text> },
    { title: t('columns.state'), key: 'state', render: (_, v) => versionState(v, t('lookup.old')) },
    { title: t('columns.created'), key: 'created', render: (_, v) => dateTime(v.createdAt) },
    { title: t('lookup.digests'), key: 'digests', align: 'right', render: (_, v) => v.digests.toLocaleString() },
  ];

  const columns: TableColumnsType<KeyVersionStatus> = [
    { title: t('columns.version'), key: 'version', render: (_, v) => <Typography.Text strong>v{v.version}</Typography.Text> },
    {
      title: t('columns.state'),
      key: 'state',
      render: (_, v) => versionState(v, t('state.old')),
    },
    { title: t('columns.created'), key: 'created', render: (_, v) => dateTime(v.createdAt) },
    { title: t('columns.values'), key: 'values', align: 'right', render: (_, v) => v.values.toLocaleString() },
    {
      title: t('columns.encryptions'),
      key: 'encryptions',
      align: 'right',
      render: (_, v) => (
        <Space direction="vertical" size={0} style={{ alignItems: 'flex-end' }}>
          <span>{v.encryptions.toLocaleString()}</span>
          {v.nearLimit && <Tag color="red">{t('nearLimit')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('columns.limit'),
      key: 'limit',
      render: (_, v) => <Progress percent={Math.min(100, (v.encryptions / status.limit) * 100)} size="small" showInfo={false} status={v.nearLimit ? 'exception' : 'normal'} style={{ minWidth: 80 }} />,
    },
  ];

  return (
    <div data-testid="keys-admin">
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          <Popconfirm title={t('rotateConfirm')} onConfirm={rotate} okButtonProps={{ 'data-testid': 'rotate-confirm' } as Record<string, string>}>
            <Button type="primary" icon={<SwapOutlined />} data-testid="rotate-key" disabled={!status.masterKeyOpens}>
              {t('rotate')}
            </Button>
          </Popconfirm>
        }
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card size="small" title={<><LockOutlined /> {t('masterKey.title')}</>}>
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text>{t(`masterKey.${status.provider}`)}</Typography.Text>
            {status.masterKeyOpens ? <Alert type="success" showIcon message={t('masterKey.opens')} /> : <Alert type="error" showIcon message={t('masterKey.wrong')} />}
            {status.placement && (
              <Alert
                type="warning"
                showIcon
                message={t('masterKey.warning')}
                description={status.placement.problem === 'beside-database' ? t('masterKey.besideDatabase', { file: status.placement.file, dataDir: status.placement.dataDir }) : t('masterKey.generatedWarning', { file: status.placement.file })}
                data-testid="master-key-warning"
              />
            )}
          </Space>
        </Card>
        <Card size="small" title={t('reseal.title')} data-testid="reseal-progress">
          {!job ? <Typography.Text type="secondary">{t('reseal.none')}</Typography.Text> : <RotationProgress job={job} waiting={t('reseal.phaseRetire')} />}
        </Card>
        {status.sealing.length > 0 && (
          <Card size="small" title={t('sealing.title')} data-testid="sealing-progress">
            <Space direction="vertical" style={{ width: '100%' }}>
              {status.sealing.map((j) => (
                <div key={j.id}>
                  <Space wrap>
                    <Typography.Text strong>{j.formName}</Typography.Text>
                    <span>{t(j.kind === 'fields.unseal' ? 'sealing.unseal' : 'sealing.seal')}</span>
                    <Tag color={j.state === 'done' ? 'green' : j.state === 'failed' ? 'red' : 'blue'}>{t(`reseal.${j.state}`)}</Tag>
                    {j.total !== null && <span>{t('reseal.progress', { done: j.done.toLocaleString(), total: j.total.toLocaleString() })}</span>}
                  </Space>
                  <Progress percent={j.total ? Math.floor((j.done / j.total) * 100) : j.state === 'done' ? 100 : 0} size="small" status={running(j) ? 'active' : 'normal'} />
                </div>
              ))}
            </Space>
          </Card>
        )}
        <Card size="small" styles={{ body: { padding: 0 } }} data-testid="data-keys">
          <Table rowKey="version" columns={columns} dataSource={status.versions} pagination={false} scroll={{ x: 640 }} />
        </Card>
        <Card
          size="small"
          title={t('lookup.title')}
          data-testid="lookup-keys"
          extra={
            <Popconfirm title={t('lookup.rotateConfirm')} onConfirm={rotateLookup} okButtonProps={{ 'data-testid': 'rotate-lookup-confirm' } as Record<string, string>}>
              <Button icon={<SwapOutlined />} data-testid="rotate-lookup" disabled={!status.masterKeyOpens}>
                {t('lookup.rotate')}
              </Button>
            </Popconfirm>
          }
        >
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text type="secondary">{t('lookup.description')}</Typography.Text>
            {status.reindex && <RotationProgress job={status.reindex} waiting={t('lookup.phaseRetire')} />}
            {status.lookupVersions.length ? (
              <Table rowKey="version" size="small" columns={lookupColumns} dataSource={status.lookupVersions} pagination={false} scroll={{ x: 480 }} />
            ) : (
              <Typography.Text type="secondary">{t('lookup.none')}</Typography.Text>
            )}
          </Space>
        </Card>
      </Space>
    </div>
  );
}

/** A key rotation's job: state, records done, rate, time left, and the wait before retiring. */
function RotationProgress({ job, waiting }: { job: JobProgress; waiting: string }) {
  const t = useTranslations('keys');
  const active = job.state === 'queued' || job.state === 'running';
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Tag color={job.state === 'done' ? 'green' : job.state === 'failed' ? 'red' : 'blue'}>{t(`reseal.${job.state}`)}</Tag>
        {job.total !== null && <span>{t('reseal.progress', { done: job.done.toLocaleString(), total: job.total.toLocaleString() })}</span>}
        {active && job.rate !== null && job.phase !== 'retire' && <span>{t('reseal.rate', { rate: Math.round(job.rate).toLocaleString() })}</span>}
        {active && job.etaSeconds !== null && <span>{t('reseal.eta', { eta: duration(job.etaSeconds) })}</span>}
      </Space>
      <Progress percent={job.total ? Math.floor((job.done / job.total) * 100) : job.state === 'done' ? 100 : 0} status={job.state === 'failed' ? 'exception' : active ? 'active' : 'normal'} />
      {active && job.phase === 'retire' && <Typography.Text type="secondary">{waiting}</Typography.Text>}
      {job.error && <Typography.Text type="danger">{t('reseal.error', { code: job.error })}</Typography.Text>}
    </Space>
  );
}
