'use client';
import { useMemo, useState } from 'react';
import { Avatar, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useTranslations } from 'next-intl';
import { PageHeader } from '../page-header';
import { SearchToolbar } from '../search-toolbar';
import { useDialog } from '../use-dialog';
import { useDialogForm } from '../use-dialog-form';
import { avatarColor } from '../avatar-color';
import { useRunAction, type Action } from '../action-result';
import { DeleteOutlined, EditOutlined, TeamOutlined, UsergroupAddOutlined } from '../icons';
import type { DirectoryGroup, UserOption } from './types';

export interface GroupsAdminActions {
  createGroup: Action<{ name: string; description?: string }>;
  updateGroup: Action<{ groupId: string; name?: string; description?: string; memberIds?: string[] }>;
  deleteGroup: Action<{ groupId: string }>;
}

type Editing = { mode: 'create' } | { mode: 'edit'; group: DirectoryGroup };

const SHOWN_MEMBERS = 6;

export function GroupsAdmin({ groups, users, actions }: { groups: DirectoryGroup[]; users: UserOption[]; actions: GroupsAdminActions }) {
  const t = useTranslations('directory.groups');
  const tc = useTranslations('common');
  const run = useRunAction();

  const [query, setQuery] = useState('');
  const editingDialog = useDialog<Editing>();
  const editing = editingDialog.data;
  const membersOfDialog = useDialog<DirectoryGroup>();
  const membersOf = membersOfDialog.data;
  const [saving, setSaving] = useState(false);
  const [groupForm] = Form.useForm<{ name: string; description?: string }>();
  const [membersForm] = Form.useForm<{ memberIds: string[] }>();
  const groupFormValues = editing?.mode === 'edit' ? { name: editing.group.name, description: editing.group.description } : { name: '', description: '' };
  const membersFormValues = { memberIds: membersOf?.members.map((m) => m.id) ?? [] };
  // The members list of one group must never be shown (and saved) for another.
  useDialogForm(groupForm, editingDialog.open, groupFormValues);
  useDialogForm(membersForm, membersOfDialog.open, membersFormValues);

  const visible = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? groups.filter((g) => g.name.toLowerCase().includes(q) || g.description.toLowerCase().includes(q)) : groups;
  }, [groups, query]);

  // Active users, plus current members who are disabled (they are not in the
  // options list but must keep a readable label until removed).
  const memberOptions = useMemo(() => {
    const options = users.map((u) => ({ value: u.id, label: u.departmentName ? `${u.name} · ${u.departmentName}` : u.name }));
    const known = new Set(users.map((u) => u.id));
    for (const m of membersOf?.members ?? []) if (!known.has(m.id)) options.push({ value: m.id, label: m.name });
    return options;
  }, [users, membersOf]);

  const openCreate = () => {
    editingDialog.show({ mode: 'create' });
  };
  const openEdit = (group: DirectoryGroup) => {
    editingDialog.show({ mode: 'edit', group });
  };
  const openMembers = (group: DirectoryGroup) => {
    membersOfDialog.show(group);
  };

  const saveGroup = async () => {
    if (!editing) return;
    let values: { name: string; description?: string };
    try {
      values = await groupForm.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const input = { name: values.name.trim(), description: values.description?.trim() ?? '' };
    const result =
      editing.mode === 'create'
        ? await run(() => actions.createGroup(input), { form: groupForm, success: t('created', { name: input.name }) })
        : await run(() => actions.updateGroup({ groupId: editing.group.id, ...input }), { form: groupForm, success: tc('feedback.saved') });
    setSaving(false);
    if (result.ok) editingDialog.hide();
  };

  const saveMembers = async () => {
    if (!membersOf) return;
    const { memberIds } = membersForm.getFieldsValue();
    setSaving(true);
    const result = await run(() => actions.updateGroup({ groupId: membersOf.id, memberIds: memberIds ?? [] }), {
      form: membersForm,
      success: t('membersSaved', { name: membersOf.name, count: (memberIds ?? []).length }),
    });
    setSaving(false);
    if (result.ok) membersOfDialog.hide();
  };

  const remove = (group: DirectoryGroup) => run(() => actions.deleteGroup({ groupId: group.id }), { success: t('deleted', { name: group.name }) });

  const columns: TableColumnsType<DirectoryGroup> = [
    {
      title: t('columns.group'),
      key: 'name',
      width: 300,
      sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
      render: (_, g) => (
        <Space size={12} align="start">
          <Avatar shape="square" style={{ background: '#eef3ff', color: '#1f5eff' }} icon={<TeamOutlined />} />
          <div style={{ lineHeight: 1.4 }}>
            <div style={{ fontWeight: 500 }}>{g.name}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {g.description || t('noDescription')}
            </Typography.Text>
          </div>
        </Space>
      ),
    },
    {
      title: t('columns.members'),
      key: 'members',
      render: (_, g) =>
        g.members.length ? (
          <Space size={8}>
            <Avatar.Group max={{ count: SHOWN_MEMBERS, style: { background: '#eef3ff', color: '#1f5eff' } }} size="small">
              {g.members.map((m) => (
                <Tooltip key={m.id} title={m.name}>
                  <Avatar style={{ background: avatarColor(m.id) }}>{m.name.slice(0, 1).toUpperCase()}</Avatar>
                </Tooltip>
              ))}
            </Avatar.Group>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {g.members
                .slice(0, 3)
                .map((m) => m.name)
                .join(tc('listSeparator'))}
              {g.members.length > 3 ? t('andMore', { count: g.members.length - 3, total: g.members.length }) : ''}
            </Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('noMembers')}</Typography.Text>
        ),
    },
    {
      title: t('columns.memberCount'),
      key: 'memberCount',
      width: 110,
      align: 'right',
      sorter: (a, b) => a.memberCount - b.memberCount,
      render: (_, g) => g.memberCount,
    },
    {
      title: tc('table.actions'),
      key: 'actions',
      render: (_, g) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<UsergroupAddOutlined />} onClick={() => openMembers(g)}>
            {t('manageMembers')}
          </Button>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => openEdit(g)}>
            {tc('actions.edit')}
          </Button>
          <Popconfirm
            title={t('deleteConfirmTitle', { name: g.name })}
            description={t('deleteConfirmText')}
            okText={tc('actions.delete')}
            okButtonProps={{ danger: true }}
            cancelText={tc('actions.cancel')}
            onConfirm={() => remove(g)}
          >
            <Button type="link" size="small" danger icon={<DeleteOutlined />}>
              {tc('actions.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          <Button type="primary" icon={<UsergroupAddOutlined />} onClick={openCreate}>
            {t('create')}
          </Button>
        }
      />
      <Card variant="borderless" styles={{ body: { padding: 0 } }}>
        <SearchToolbar value={query} onChange={setQuery} placeholder={t('searchPlaceholder')} summary={t('summary', { count: groups.length })} />
        <Table<DirectoryGroup>
          rowKey="id"
          columns={columns}
          dataSource={visible}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: query ? t('noMatch') : t('empty') }}
          scroll={{ x: 'max-content' }}
        />
      </Card>

      <Modal
        open={editingDialog.open}
        title={editing?.mode === 'edit' ? t('editTitle', { name: editing.group.name }) : t('createTitle')}
        okText={editing?.mode === 'edit' ? tc('actions.save') : tc('actions.create')}
        cancelText={tc('actions.cancel')}
        confirmLoading={saving}
        onOk={saveGroup}
        onCancel={() => editingDialog.hide()}
        mask={{ closable: false }}
        destroyOnHidden
      >
        <Form
          form={groupForm}
          layout="vertical"
          preserve={false}
          style={{ marginTop: 16 }}
          initialValues={groupFormValues}
        >
          <Form.Item name="name" label={t('fields.name')} rules={[{ required: true, whitespace: true, message: t('fields.nameRequired') }, { max: 100 }]}>
            <Input placeholder={t('fields.namePlaceholder')} autoComplete="off" />
          </Form.Item>
          <Form.Item name="description" label={t('fields.description')} rules={[{ max: 500 }]} style={{ marginBottom: 8 }}>
            <Input.TextArea rows={3} placeholder={t('fields.descriptionPlaceholder')} showCount maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={membersOfDialog.open}
        title={membersOf ? t('membersTitle', { name: membersOf.name }) : ''}
        okText={tc('actions.save')}
        cancelText={tc('actions.cancel')}
        confirmLoading={saving}
        onOk={saveMembers}
        onCancel={() => membersOfDialog.hide()}
        mask={{ closable: false }}
        width={600}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t('membersHelp')}
        </Typography.Paragraph>
        <Form form={membersForm} layout="vertical" preserve={false} initialValues={membersFormValues}>
          <Form.Item name="memberIds" label={t('fields.members')} style={{ marginBottom: 0 }}>
            <Select
              mode="multiple"
              options={memberOptions}
              optionFilterProp="label"
              placeholder={t('fields.membersPlaceholder')}
              allowClear
              maxTagCount="responsive"
              style={{ width: '100%' }}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
