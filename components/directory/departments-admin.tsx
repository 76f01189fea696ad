'use client';
import { useMemo, useState, type Key } from 'react';
import { Avatar, Badge, Button, Card, Descriptions, Empty, Form, Input, Modal, Popconfirm, Space, Table, Tooltip, Tree, TreeSelect, Typography, type TreeProps } from 'antd';
import { useTranslations } from 'next-intl';
import { PageHeader } from '../page-header';
import { useDialog } from '../use-dialog';
import { useDialogForm } from '../use-dialog-form';
import { avatarColor } from '../avatar-color';
import { useRunAction, type Action } from '../action-result';
import { ApartmentOutlined, DeleteOutlined, EditOutlined, PlusOutlined, SwapOutlined } from '../icons';
import { departmentTreeData, flattenDepartments, type DepartmentNode } from './types';

export interface DepartmentsAdminActions {
  createDepartment: Action<{ name: string; parentId?: string | null }>;
  updateDepartment: Action<{ departmentId: string; name?: string; parentId?: string | null }>;
  deleteDepartment: Action<{ departmentId: string }>;
}

export interface DepartmentMember {
  id: string;
  name: string;
  email: string;
  departmentId: string;
  status: 'active' | 'disabled';
}

/** Value of the "top level" choice in the move dialog (a TreeSelect value cannot be null). */
const ROOT = '__root__';

type NameDialog = { mode: 'create'; parent: DepartmentNode | null } | { mode: 'rename'; node: DepartmentNode };

function allKeys(nodes: DepartmentNode[]): string[] {
  return nodes.flatMap((n) => [n.id, ...allKeys(n.children)]);
}

export function DepartmentsAdmin({
  departments,
  members,
  actions,
}: {
  departments: DepartmentNode[];
  members: DepartmentMember[];
  actions: DepartmentsAdminActions;
}) {
  const t = useTranslations('directory.departments');
  const tc = useTranslations('common');
  const run = useRunAction();

  const flat = useMemo(() => flattenDepartments(departments), [departments]);
  const byId = useMemo(() => new Map(flat.map((f) => [f.node.id, f])), [flat]);

  const [selectedId, setSelectedId] = useState<string | null>(departments[0]?.id ?? null);
  const [expanded, setExpanded] = useState<Key[]>(() => allKeys(departments));
  const nameDialogState = useDialog<NameDialog>();
  const nameDialog = nameDialogState.data;
  const movingDialog = useDialog<DepartmentNode>();
  const moving = movingDialog.data;
  const [saving, setSaving] = useState(false);
  const [nameForm] = Form.useForm<{ name: string }>();
  const [moveForm] = Form.useForm<{ parentId: string }>();
  const nameFormValues = { name: nameDialog?.mode === 'rename' ? nameDialog.node.name : '' };
  const moveFormValues = { parentId: moving?.parentId ?? ROOT };
  useDialogForm(nameForm, nameDialogState.open, nameFormValues);
  useDialogForm(moveForm, movingDialog.open, moveFormValues);

  const selected = selectedId ? byId.get(selectedId) : undefined;
  const selectedMembers = useMemo(() => (selected ? members.filter((m) => m.departmentId === selected.node.id) : []), [members, selected]);

  const openCreate = (parent: DepartmentNode | null) => {
    nameDialogState.show({ mode: 'create', parent });
  };
  const openRename = (node: DepartmentNode) => {
    nameDialogState.show({ mode: 'rename', node });
  };
  const openMove = (node: DepartmentNode) => {
    movingDialog.show(node);
  };

  const saveName = async () => {
    if (!nameDialog) return;
    let values: { name: string };
    try {
      values = await nameForm.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const name = values.name.trim();
    const result =
      nameDialog.mode === 'create'
        ? await run(() => actions.createDepartment({ name, parentId: nameDialog.parent?.id ?? null }), {
            form: nameForm,
            success: t('created', { name }),
          })
        : await run(() => actions.updateDepartment({ departmentId: nameDialog.node.id, name }), { form: nameForm, success: tc('feedback.saved') });
    setSaving(false);
    if (!result.ok) return;
    if (nameDialog.mode === 'create') {
      const parentId = nameDialog.parent?.id;
      if (parentId) setExpanded((keys) => (keys.includes(parentId) ? keys : [...keys, parentId]));
      const data = result.data as { id?: string } | undefined;
      if (data?.id) {
        setSelectedId(data.id);
        setExpanded((keys) => [...keys, data.id!]);
      }
    }
    nameDialogState.hide();
  };

  const move = async (node: DepartmentNode, parentId: string | null, fromDialog: boolean) => {
    setSaving(true);
    const result = await run(() => actions.updateDepartment({ departmentId: node.id, parentId }), {
      form: fromDialog ? moveForm : undefined,
      success: t('moved', { name: node.name }),
    });
    setSaving(false);
    if (result.ok && parentId) setExpanded((keys) => (keys.includes(parentId) ? keys : [...keys, parentId]));
    return result.ok;
  };

  const saveMove = async () => {
    if (!moving) return;
    let values: { parentId: string };
    try {
      values = await moveForm.validateFields();
    } catch {
      return;
    }
    const parentId = values.parentId === ROOT ? null : values.parentId;
    if (parentId === moving.parentId) {
      movingDialog.hide();
      return;
    }
    if (await move(moving, parentId, true)) movingDialog.hide();
  };

  const remove = async (node: DepartmentNode) => {
    const result = await run(() => actions.deleteDepartment({ departmentId: node.id }), { success: t('deleted', { name: node.name }) });
    if (result.ok) setSelectedId(node.parentId);
  };

  // Dragging a department onto another makes it a child; dropping it between two makes it their sibling.
  const onDrop: TreeProps['onDrop'] = (info) => {
    const dragged = byId.get(String(info.dragNode.key))?.node;
    const target = byId.get(String(info.node.key))?.node;
    if (!dragged || !target) return;
    const parentId = info.dropToGap ? target.parentId : target.id;
    if (parentId === dragged.parentId) return;
    void move(dragged, parentId, false);
  };

  const moveTree = useMemo(
    () => [
      {
        value: ROOT,
        key: ROOT,
        title: t('topLevel'),
        children: moving ? departmentTreeData(departments, (n) => n.id === moving.id) : [],
      },
    ],
    [departments, moving, t],
  );

  const treeData = useMemo(() => {
    const toTree = (nodes: DepartmentNode[]): NonNullable<TreeProps['treeData']> =>
      nodes.map((n) => ({
        key: n.id,
        title: (
          <span className="fw-dept-node">
            <span>{n.name}</span>
            <span className="fw-dept-node__count">{n.memberCount}</span>
          </span>
        ),
        children: toTree(n.children),
      }));
    return toTree(departments);
  }, [departments]);

  const canDelete = (n: DepartmentNode) => n.memberCount === 0 && n.children.length === 0;

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => openCreate(null)}>
            {t('createRoot')}
          </Button>
        }
      />
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(280px, 380px) 1fr', gap: 16, alignItems: 'start' }}>
        <Card variant="borderless" title={t('treeTitle')} extra={<Typography.Text type="secondary">{t('count', { count: flat.length })}</Typography.Text>}>
          {departments.length ? (
            <>
              <Tree
                blockNode
                showLine
                draggable={{ icon: false }}
                treeData={treeData}
                expandedKeys={expanded}
                onExpand={setExpanded}
                selectedKeys={selectedId ? [selectedId] : []}
                onSelect={(keys) => keys[0] && setSelectedId(String(keys[0]))}
                onDrop={onDrop}
              />
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '16px 0 0' }}>
                {t('dragHint')}
              </Typography.Paragraph>
            </>
          ) : (
            <Empty description={t('empty')}>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => openCreate(null)}>
                {t('createRoot')}
              </Button>
            </Empty>
          )}
        </Card>

        <Card
          variant="borderless"
          title={
            selected ? (
              <Space>
                <ApartmentOutlined style={{ color: '#1f5eff' }} />
                {selected.node.name}
              </Space>
            ) : (
              t('detailsTitle')
            )
          }
          extra={
            selected && (
              <Space wrap>
                <Button icon={<PlusOutlined />} onClick={() => openCreate(selected.node)}>
                  {t('addChild')}
                </Button>
                <Button icon={<EditOutlined />} onClick={() => openRename(selected.node)}>
                  {t('rename')}
                </Button>
                <Button icon={<SwapOutlined />} onClick={() => openMove(selected.node)}>
                  {t('move')}
                </Button>
                <Tooltip title={canDelete(selected.node) ? undefined : t('cannotDelete')}>
                  <Popconfirm
                    title={t('deleteConfirm', { name: selected.node.name })}
                    okText={tc('actions.delete')}
                    okButtonProps={{ danger: true }}
                    cancelText={tc('actions.cancel')}
                    onConfirm={() => remove(selected.node)}
                    disabled={!canDelete(selected.node)}
                  >
                    <Button danger icon={<DeleteOutlined />} disabled={!canDelete(selected.node)}>
                      {tc('actions.delete')}
                    </Button>
                  </Popconfirm>
                </Tooltip>
              </Space>
            )
          }
        >
          {selected ? (
            <>
              <Descriptions
                column={3}
                size="small"
                items={[
                  { key: 'path', label: t('path'), children: selected.path.join(' / ') },
                  { key: 'members', label: t('directMembers'), children: selected.node.memberCount },
                  { key: 'children', label: t('subDepartments'), children: selected.node.children.length },
                ]}
              />
              <Typography.Title level={5} style={{ marginTop: 24 }}>
                {t('membersTitle')}
              </Typography.Title>
              <Table<DepartmentMember>
                size="small"
                rowKey="id"
                dataSource={selectedMembers}
                pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
                locale={{ emptyText: t('noMembers') }}
                columns={[
                  {
                    key: 'name',
                    title: t('memberName'),
                    render: (_, m) => (
                      <Space size={10}>
                        <Avatar size="small" style={{ background: m.status === 'active' ? avatarColor(m.id) : '#c3c8d4' }}>
                          {m.name.slice(0, 1).toUpperCase()}
                        </Avatar>
                        {m.name}
                      </Space>
                    ),
                  },
                  { key: 'email', title: t('memberEmail'), render: (_, m) => <Typography.Text type="secondary">{m.email}</Typography.Text> },
                  {
                    key: 'status',
                    title: t('memberStatus'),
                    width: 100,
                    render: (_, m) =>
                      m.status === 'active' ? <Badge status="success" text={t('active')} /> : <Badge status="default" text={t('disabled')} />,
                  },
                ]}
              />
            </>
          ) : (
            <Empty description={t('selectHint')} />
          )}
        </Card>
      </div>

      <Modal
        open={nameDialogState.open}
        title={
          nameDialog?.mode === 'rename'
            ? t('renameTitle')
            : nameDialog?.parent
              ? t('createChildTitle', { parent: nameDialog.parent.name })
              : t('createRootTitle')
        }
        okText={nameDialog?.mode === 'rename' ? tc('actions.save') : tc('actions.create')}
        cancelText={tc('actions.cancel')}
        confirmLoading={saving}
        onOk={saveName}
        onCancel={() => nameDialogState.hide()}
        destroyOnHidden
      >
        <Form
          form={nameForm}
          layout="vertical"
          preserve={false}
          style={{ marginTop: 16 }}
          onFinish={saveName}
          initialValues={nameFormValues}
        >
          <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 100 }]} style={{ marginBottom: 0 }}>
            <Input placeholder={t('namePlaceholder')} autoFocus />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={movingDialog.open}
        title={moving ? t('moveTitle', { name: moving.name }) : ''}
        okText={t('move')}
        cancelText={tc('actions.cancel')}
        confirmLoading={saving}
        onOk={saveMove}
        onCancel={() => movingDialog.hide()}
        destroyOnHidden
      >
        <Form form={moveForm} layout="vertical" preserve={false} style={{ marginTop: 16 }} initialValues={moveFormValues}>
          <Form.Item name="parentId" label={t('newParent')} extra={t('moveHelp')} rules={[{ required: true }]} style={{ marginBottom: 0 }}>
            <TreeSelect treeData={moveTree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
