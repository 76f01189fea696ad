'use client';
/**
 * 权限查询: by user, by form, and the explain panel. The URL holds the tab and the chosen
 * user or form, so the server renders each answer (accessByUser / accessByForm) and a link
 * gives the same view; explain runs as a server action so a mistyped record id is an inline
 * message, not an error page.
 */
import { useState, useTransition } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { App, Button, Card, Empty, Select, Space, Table, Tabs, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useTranslations } from 'next-intl';
import type { FormAccessOverview, FormRights, FormSummary, SubjectSummary, UserAccess } from '@/lib/access/operations';
import type { Action } from '../action-result';
import { PageHeader } from '../page-header';
import { DownloadOutlined, InfoCircleOutlined } from '../icons';
import { ActionList, ActionScopes, FieldModes, RowLinks, useWording } from './rights';
import { ExplainPanel, type ExplainAction, type ExplainQuery } from './explain-panel';
import { saveTextFile } from './download';
import styles from './access.module.css';

export type AccessTab = 'user' | 'form' | 'explain';
type CsvFile = { filename: string; contentType: string; body: string; rows: number };

export function AccessOverview({
  tab,
  users,
  forms,
  byUser,
  byForm,
  explainQuery,
  actions,
}: {
  tab: AccessTab;
  users: SubjectSummary[];
  forms: FormSummary[];
  byUser: UserAccess | null;
  byForm: FormAccessOverview | null;
  explainQuery: ExplainQuery;
  actions: { explain: ExplainAction; exportOverview: Action<{ by: 'user' | 'form'; id?: string }, CsvFile> };
}) {
  const t = useTranslations('access');
  const tf = useTranslations('common.feedback');
  const router = useRouter();
  const pathname = usePathname();
  const { message } = App.useApp();
  const [pending, startTransition] = useTransition();
  const [exporting, setExporting] = useState<string | null>(null);

  const go = (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    startTransition(() => router.push(`${pathname}?${q.toString()}`));
  };

  const exportCsv = async (by: 'user' | 'form', id?: string) => {
    setExporting(`${by}:${id ?? ''}`);
    try {
      const result = await actions.exportOverview(id ? { by, id } : { by });
      if (!result.ok) {
        message.error(result.error.message);
        return;
      }
      saveTextFile(result.data);
      message.success(t('exported', { rows: result.data.rows }));
    } catch {
      message.error(tf('networkError'));
    } finally {
      setExporting(null);
    }
  };

  const userOptions = users.map((u) => ({
    value: u.id,
    label: [u.name, u.email, u.department?.name].filter(Boolean).join(' · ') + (u.status === 'active' ? '' : ` (${t('disabled')})`),
  }));
  const formOptions = forms.map((f) => ({ value: f.id, label: f.name }));
  const exportButton = (by: 'user' | 'form', id: string | undefined, label: string) => (
    <Button icon={<DownloadOutlined />} loading={exporting === `${by}:${id ?? ''}`} onClick={() => void exportCsv(by, id)} data-testid={`export-${by}${id ? '' : '-all'}`}>
      {label}
    </Button>
  );

  const byUserTab = (
    <>
      <div className={styles.toolbar}>
        <div className={styles.toolbarLeft}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('pickUser')}
            options={userOptions}
            value={byUser?.subject.id}
            onChange={(userId: string) => go({ tab: 'user', userId })}
            style={{ width: 380, maxWidth: '100%' }}
            data-testid="pick-user"
          />
        </div>
        <Space wrap>
          {byUser && exportButton('user', byUser.subject.id, t('exportCsv'))}
          {exportButton('user', undefined, t('exportAllUsers'))}
        </Space>
      </div>
      {byUser ? (
        <>
          <SubjectLine subject={byUser.subject} />
          <UserFormsTable access={byUser} loading={pending} />
        </>
      ) : (
        <Empty className={styles.prompt} image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('pickUserFirst')} />
      )}
    </>
  );

  const byFormTab = (
    <>
      <div className={styles.toolbar}>
        <div className={styles.toolbarLeft}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('pickForm')}
            options={formOptions}
            value={byForm?.form.id}
            onChange={(formId: string) => go({ tab: 'form', formId })}
            style={{ width: 320, maxWidth: '100%' }}
            notFoundContent={t('noForms')}
            data-testid="pick-form"
          />
        </div>
        <Space wrap>
          {byForm && exportButton('form', byForm.form.id, t('exportCsv'))}
          {exportButton('form', undefined, t('exportAllForms'))}
        </Space>
      </div>
      {byForm ? (
        <FormUsersTable access={byForm} loading={pending} />
      ) : (
        <Empty className={styles.prompt} image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('pickFormFirst')} />
      )}
    </>
  );

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Tabs
          activeKey={tab}
          onChange={(key) => go({ tab: key, userId: byUser?.subject.id ?? explainQuery.userId, formId: byForm?.form.id ?? explainQuery.formId })}
          tabBarStyle={{ padding: '0 20px', marginBottom: 0 }}
          items={[
            { key: 'user', label: t('tabs.byUser'), children: byUserTab },
            { key: 'form', label: t('tabs.byForm'), children: byFormTab },
            { key: 'explain', label: t('tabs.explain'), children: <ExplainPanel users={userOptions} forms={forms} initial={explainQuery} explain={actions.explain} /> },
          ]}
        />
      </Card>
    </>
  );
}

function SubjectLine({ subject }: { subject: SubjectSummary }) {
  const t = useTranslations('access');
  return (
    <div className={styles.subject} data-testid="subject">
      <span className={styles.subjectName}>{subject.name}</span>
      <span>{subject.email}</span>
      <span>{subject.department?.name ?? t('noDepartment')}</span>
      {subject.status !== 'active' && <Tag color="red">{t('statuses.disabled')}</Tag>}
      <span>
        {subject.groups.map((g) => (
          <Tag key={g.id} variant="filled">
            {g.name}
          </Tag>
        ))}
      </span>
    </div>
  );
}

function UserFormsTable({ access, loading }: { access: UserAccess; loading: boolean }) {
  const t = useTranslations('access');
  type Row = UserAccess['forms'][number];
  const columns: TableColumnsType<Row> = [
    { key: 'form', title: t('columns.form'), width: 160, render: (_, r) => <Typography.Text strong>{r.form.name}</Typography.Text> },
    { key: 'rights', title: t('columns.rights'), render: (_, r) => <Rights rights={r.rights} form={r.form} userName={access.subject.name} /> },
    { key: 'fields', title: <FieldsTitle />, render: (_, r) => <FieldModes rights={r.rights} form={r.form} /> },
    {
      key: 'links',
      title: t('columns.actions'),
      width: 180,
      render: (_, r) => <RowLinks userId={access.subject.id} formId={r.form.id} canView={r.rights.actions.some((a) => a.action === 'view')} />,
    },
  ];
  return (
    <Table<Row>
      rowKey={(r) => r.form.id}
      size="middle"
      loading={loading}
      columns={columns}
      dataSource={access.forms}
      pagination={false}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noRights')} /> }}
      data-testid="user-forms"
    />
  );
}

function FieldsTitle() {
  const t = useTranslations('access.columns');
  return (
    <span>
      {t('fields')}
      <Tooltip title={t('fieldsHelp')}>
        <InfoCircleOutlined style={{ marginLeft: 6, color: '#8a93a6' }} />
      </Tooltip>
    </span>
  );
}

function Rights({ rights, form, userName }: { rights: FormRights; form: FormSummary; userName: string }) {
  return <ActionList rights={rights} wording={useWording(form, userName)} />;
}

function FormUsersTable({ access, loading }: { access: FormAccessOverview; loading: boolean }) {
  const t = useTranslations('access');
  const wording = useWording(access.form, '');
  type Row = FormAccessOverview['users'][number];
  const scoped = (action: 'view' | 'reveal' | 'export') => (_: unknown, r: Row) => <ActionScopes rights={r.rights} action={action} wording={wording} />;
  const columns: TableColumnsType<Row> = [
    {
      key: 'user',
      title: t('columns.user'),
      width: 190,
      render: (_, r) => (
        <div className={styles.userCell}>
          <Typography.Text strong>{r.subject.name}</Typography.Text>
          <span className={styles.email}>{r.subject.email}</span>
          <span className={styles.email}>{r.subject.department?.name ?? t('noDepartment')}</span>
        </div>
      ),
    },
    { key: 'view', title: t('actionLabels.view'), render: scoped('view') },
    { key: 'reveal', title: t('actionLabels.reveal'), render: scoped('reveal') },
    { key: 'export', title: t('actionLabels.export'), render: scoped('export') },
    {
      key: 'other',
      title: t('otherRights'),
      width: 190,
      render: (_, r) => <ActionList rights={r.rights} wording={wording} only={['create', 'edit', 'delete', 'import', 'assign']} compact />,
    },
    { key: 'fields', title: <FieldsTitle />, width: 150, render: (_, r) => <FieldModes rights={r.rights} form={access.form} compact /> },
    {
      key: 'links',
      title: t('columns.actions'),
      width: 110,
      fixed: 'right',
      render: (_, r) => <RowLinks userId={r.subject.id} formId={access.form.id} canView={r.rights.actions.some((a) => a.action === 'view')} />,
    },
  ];
  return (
    <Table<Row>
      rowKey={(r) => r.subject.id}
      size="middle"
      loading={loading}
      columns={columns}
      dataSource={access.users}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      scroll={{ x: 1000 }}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noUsers')} /> }}
      data-testid="form-users"
    />
  );
}

