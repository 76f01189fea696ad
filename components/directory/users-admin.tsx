'use client';
import { useMemo, useState } from 'react';
import {
  Avatar,
  Badge,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  TreeSelect,
  Typography,
  type TableColumnsType,
} from 'antd';
import { useTranslations } from 'next-intl';
import { PageHeader } from '../page-header';
import { DateTime, useFormatDateTime } from '../date-time';
import { SearchToolbar } from '../search-toolbar';
import { useDialog } from '../use-dialog';
import { useDialogForm } from '../use-dialog-form';
import { avatarColor } from '../avatar-color';
import { useRunAction, type Action } from '../action-result';
import { confirmRule, MIN_PASSWORD_LENGTH, passwordRules } from '../auth/password-rules';
import { ApiOutlined, EditOutlined, KeyOutlined, ReloadOutlined, StopOutlined, UserAddOutlined } from '../icons';
import { departmentTreeData, flattenDepartments, type DepartmentNode, type DirectoryUser } from './types';
import { UserTokensDrawer, type UserTokensActions } from './user-tokens-drawer';

export interface UsersAdminActions extends UserTokensActions {
  createUser: Action<{ email: string; name: string; password: string; isAdmin?: boolean; departmentId?: string | null; groupIds?: string[] }>;
  updateUser: Action<{ userId: string; name?: string; isAdmin?: boolean; departmentId?: string | null; groupIds?: string[] }>;
  setUserStatus: Action<{ userId: string; status: 'active' | 'disabled' }>;
  resetPassword: Action<{ userId: string; password: string }>;
  unlockAccount: Action<{ userId: string }>;
}

interface UserFormValues {
  name: string;
  email: string;
  password?: string;
  departmentId?: string | null;
  groupIds: string[];
  isAdmin: boolean;
}

type Editing = { mode: 'create' } | { mode: 'edit'; user: DirectoryUser };


export function UsersAdmin({
  users,
  departments,
  groups,
  currentUserId,
  actions,
}: {
  users: DirectoryUser[];
  departments: DepartmentNode[];
  groups: { id: string; name: string }[];
  currentUserId: string;
  actions: UsersAdminActions;
}) {
  const t = useTranslations('directory.users');
  const tc = useTranslations('common');
  const tp = useTranslations('auth.password');
  const tt = useTranslations('tokens');
  const ta = useTranslations('account');
  const formatDateTime = useFormatDateTime();
  const run = useRunAction();

  const [query, setQuery] = useState('');
  const editingDialog = useDialog<Editing>();
  const editing = editingDialog.data;
  const resettingDialog = useDialog<DirectoryUser>();
  const resetting = resettingDialog.data;
  const [saving, setSaving] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [tokensOf, setTokensOf] = useState<DirectoryUser | null>(null);
  const [userForm] = Form.useForm<UserFormValues>();
  const [passwordForm] = Form.useForm<{ password: string; confirm: string }>();

  const treeData = useMemo(() => departmentTreeData(departments), [departments]);
  const departmentFilters = useMemo(
    () => flattenDepartments(departments).map(({ node, path }) => ({ text: path.join(' / '), value: node.id })),
    [departments],
  );
  const groupOptions = useMemo(() => groups.map((g) => ({ value: g.id, label: g.name })), [groups]);

  const visible = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return users;
    return users.filter((u) => u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q));
  }, [users, query]);

  const activeCount = users.filter((u) => u.status === 'active').length;

  const userFormValues: Partial<UserFormValues> =
    editing?.mode === 'edit'
      ? {
          name: editing.user.name,
          email: editing.user.email,
          departmentId: editing.user.department?.id,
          groupIds: editing.user.groups.map((g) => g.id),
          isAdmin: editing.user.isAdmin,
        }
      : { name: '', email: '', password: '', departmentId: undefined, isAdmin: false, groupIds: [] };
  useDialogForm(userForm, editingDialog.open, userFormValues);

  const openCreate = () => {
    editingDialog.show({ mode: 'create' });
  };
  const openEdit = (user: DirectoryUser) => {
    editingDialog.show({ mode: 'edit', user });
  };

  const saveUser = async () => {
    if (!editing) return;
    let values: UserFormValues;
    try {
      values = await userForm.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const common = {
      name: values.name.trim(),
      isAdmin: values.isAdmin,
      departmentId: values.departmentId ?? null,
      groupIds: values.groupIds ?? [],
    };
    const result =
      editing.mode === 'create'
        ? await run(() => actions.createUser({ ...common, email: values.email.trim(), password: values.password ?? '' }), {
            form: userForm,
            success: t('created', { name: common.name }),
          })
        : await run(() => actions.updateUser({ userId: editing.user.id, ...common }), { form: userForm, success: tc('feedback.saved') });
    setSaving(false);
    if (result.ok) editingDialog.hide();
  };

  const toggleStatus = async (user: DirectoryUser) => {
    const status = user.status === 'active' ? 'disabled' : 'active';
    setBusyId(user.id);
    await run(() => actions.setUserStatus({ userId: user.id, status }), {
      success: status === 'disabled' ? t('disabledDone', { name: user.name }) : t('enabledDone', { name: user.name }),
    });
    setBusyId(null);
  };

  // Sign-in lockout (lib/auth/throttle.ts): an admin ends it at once.
  const unlock = async (user: DirectoryUser) => {
    setBusyId(user.id);
    await run(() => actions.unlockAccount({ userId: user.id }), { success: t('unlockDone', { name: user.name }) });
    setBusyId(null);
  };

  const savePassword = async () => {
    if (!resetting) return;
    let values: { password: string };
    try {
      values = await passwordForm.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const result = await run(() => actions.resetPassword({ userId: resetting.id, password: values.password }), {
      form: passwordForm,
      success: t('passwordResetDone', { name: resetting.name }),
    });
    setSaving(false);
    if (result.ok) resettingDialog.hide();
  };

  const columns: TableColumnsType<DirectoryUser> = [
    {
      title: t('columns.user'),
      key: 'user',
      sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
      render: (_, u) => (
        <Space size={12}>
          <Avatar style={{ background: u.status === 'active' ? avatarColor(u.id) : '#c3c8d4' }}>{u.name.slice(0, 1).toUpperCase()}</Avatar>
          <div style={{ lineHeight: 1.35 }}>
            <div style={{ fontWeight: 500 }}>
              {u.name}
              {u.id === currentUserId && (
                <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 6 }}>
                  {t('you')}
                </Typography.Text>
              )}
            </div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {u.email}
            </Typography.Text>
          </div>
        </Space>
      ),
    },
    {
      title: t('columns.department'),
      key: 'department',
      filters: departmentFilters,
      filterSearch: true,
      onFilter: (value, u) => u.department?.id === value,
      render: (_, u) => u.department?.name ?? <Typography.Text type="secondary">{t('noDepartment')}</Typography.Text>,
    },
    {
      title: t('columns.groups'),
      key: 'groups',
      filters: groups.map((g) => ({ text: g.name, value: g.id })),
      onFilter: (value, u) => u.groups.some((g) => g.id === value),
      render: (_, u) =>
        u.groups.length ? (
          <Space size={[4, 4]} wrap>
            {u.groups.map((g) => (
              <Tag key={g.id} variant="filled" color="geekblue" style={{ marginInlineEnd: 0 }}>
                {g.name}
              </Tag>
            ))}
          </Space>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('columns.role'),
      key: 'role',
      filters: [
        { text: t('roleAdmin'), value: 'admin' },
        { text: t('roleMember'), value: 'member' },
      ],
      onFilter: (value, u) => (value === 'admin') === u.isAdmin,
      render: (_, u) => (u.isAdmin ? <Tag color="blue">{t('roleAdmin')}</Tag> : <Typography.Text type="secondary">{t('roleMember')}</Typography.Text>),
    },
    {
      title: t('columns.status'),
      key: 'status',
      filters: [
        { text: t('statusActive'), value: 'active' },
        { text: t('statusDisabled'), value: 'disabled' },
      ],
      onFilter: (value, u) => u.status === value,
      render: (_, u) => (
        <Space size={4} wrap>
          {u.status === 'active' ? <Badge status="success" text={t('statusActive')} /> : <Badge status="default" text={t('statusDisabled')} />}
          {u.lockedUntil && (
            <Tooltip title={t('lockedUntil', { time: formatDateTime(u.lockedUntil) })}>
              <Tag color="orange">{t('statusLocked')}</Tag>
            </Tooltip>
          )}
          {u.mustChangePassword && <Tag>{ta('password.pending')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('columns.createdAt'),
      key: 'createdAt',
      sorter: (a, b) => a.createdAt.localeCompare(b.createdAt),
      render: (_, u) => (
        <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
          <DateTime value={u.createdAt} precision="date" />
        </Typography.Text>
      ),
    },
    {
      title: tc('table.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_, u) => {
        const self = u.id === currentUserId;
        return (
          <Space size={0}>
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => openEdit(u)}>
              {tc('actions.edit')}
            </Button>
            <Button
              type="link"
              size="small"
              icon={<KeyOutlined />}
              onClick={() => {
                resettingDialog.show(u);
              }}
            >
              {t('resetPassword')}
            </Button>
            {u.lockedUntil && (
              <Button type="link" size="small" onClick={() => unlock(u)} loading={busyId === u.id}>
                {t('unlock')}
              </Button>
            )}
            <Button type="link" size="small" icon={<ApiOutlined />} onClick={() => setTokensOf(u)} data-testid="user-tokens">
              {tt('admin.open')}
            </Button>
            {u.status === 'active' ? (
              <Tooltip title={self ? t('cannotDisableSelf') : undefined}>
                <Popconfirm
                  title={t('disableConfirmTitle', { name: u.name })}
                  description={t('disableConfirmText')}
                  okText={t('disable')}
                  okButtonProps={{ danger: true }}
                  cancelText={tc('actions.cancel')}
                  onConfirm={() => toggleStatus(u)}
                  disabled={self}
                >
                  <Button type="link" size="small" danger icon={<StopOutlined />} disabled={self} loading={busyId === u.id}>
                    {t('disable')}
                  </Button>
                </Popconfirm>
              </Tooltip>
            ) : (
              <Popconfirm
                title={t('enableConfirmTitle', { name: u.name })}
                okText={t('enable')}
                cancelText={tc('actions.cancel')}
                onConfirm={() => toggleStatus(u)}
              >
                <Button type="link" size="small" icon={<ReloadOutlined />} loading={busyId === u.id}>
                  {t('enable')}
                </Button>
              </Popconfirm>
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          <Button type="primary" icon={<UserAddOutlined />} onClick={openCreate}>
            {t('create')}
          </Button>
        }
      />
      <Card variant="borderless" styles={{ body: { padding: 0 } }}>
        <SearchToolbar value={query} onChange={setQuery} placeholder={t('searchPlaceholder')} summary={t('summary', { total: users.length, active: activeCount })} />
        <Table<DirectoryUser>
          rowKey="id"
          columns={columns}
          dataSource={visible}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false, showTotal: (total) => tc('table.total', { total }) }}
          locale={{ emptyText: query ? t('noMatch') : t('empty') }}
          scroll={{ x: 'max-content' }}
        />
      </Card>

      <Modal
        open={editingDialog.open}
        title={editing?.mode === 'edit' ? t('editTitle', { name: editing.user.name }) : t('createTitle')}
        okText={editing?.mode === 'edit' ? tc('actions.save') : t('createOk')}
        cancelText={tc('actions.cancel')}
        confirmLoading={saving}
        onOk={saveUser}
        onCancel={() => editingDialog.hide()}
        mask={{ closable: false }}
        width={560}
        destroyOnHidden
      >
        <Form<UserFormValues>
          form={userForm}
          layout="vertical"
          requiredMark="optional"
          preserve={false}
          style={{ marginTop: 16 }}
          initialValues={userFormValues}
        >
          <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 16 }}>
            <Form.Item name="name" label={t('fields.name')} rules={[{ required: true, whitespace: true, message: t('fields.nameRequired') }, { max: 100 }]}>
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="email"
              label={t('fields.email')}
              rules={[
                { required: true, message: t('fields.emailRequired') },
                { type: 'email', message: t('fields.emailInvalid') },
              ]}
              extra={editing?.mode === 'edit' ? t('fields.emailFixed') : undefined}
            >
              <Input autoComplete="off" disabled={editing?.mode === 'edit'} />
            </Form.Item>
          </div>
          {editing?.mode === 'create' && (
            <Form.Item
              name="password"
              label={t('fields.initialPassword')}
              extra={tp('hint', { min: MIN_PASSWORD_LENGTH })}
              rules={passwordRules({ required: tp('required'), tooShort: tp('tooShort', { min: MIN_PASSWORD_LENGTH }), weak: tp('weak') })}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          )}
          <Form.Item name="departmentId" label={t('fields.department')}>
            <TreeSelect
              treeData={treeData}
              allowClear
              showSearch
              treeNodeFilterProp="title"
              treeDefaultExpandAll
              placeholder={t('fields.departmentPlaceholder')}
            />
          </Form.Item>
          <Form.Item name="groupIds" label={t('fields.groups')} extra={t('fields.groupsHelp')}>
            <Select mode="multiple" options={groupOptions} optionFilterProp="label" placeholder={t('fields.groupsPlaceholder')} allowClear />
          </Form.Item>
          <Form.Item
            name="isAdmin"
            label={t('fields.isAdmin')}
            valuePropName="checked"
            extra={t('fields.isAdminHelp')}
            style={{ marginBottom: 0 }}
          >
            <Switch disabled={editing?.mode === 'edit' && editing.user.id === currentUserId} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={resettingDialog.open}
        title={resetting ? t('resetPasswordTitle', { name: resetting.name }) : ''}
        okText={t('resetPasswordOk')}
        cancelText={tc('actions.cancel')}
        confirmLoading={saving}
        onOk={savePassword}
        onCancel={() => resettingDialog.hide()}
        mask={{ closable: false }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t('resetPasswordText')}
        </Typography.Paragraph>
        <Form form={passwordForm} layout="vertical" preserve={false}>
          <Form.Item
            name="password"
            label={t('fields.newPassword')}
            extra={tp('hint', { min: MIN_PASSWORD_LENGTH })}
            rules={passwordRules({ required: tp('required'), tooShort: tp('tooShort', { min: MIN_PASSWORD_LENGTH }), weak: tp('weak') })}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={tp('confirm')}
            dependencies={['password']}
            rules={confirmRule('password', tp('mismatch'), tp('confirmRequired'))}
            style={{ marginBottom: 0 }}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
      <UserTokensDrawer user={tokensOf} actions={actions} onClose={() => setTokensOf(null)} />
    </>
  );
}
