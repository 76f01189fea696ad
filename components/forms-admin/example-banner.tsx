'use client';
/** Shown to admins while the 客户管理 example is loaded: what it holds, and removing it in one step. */
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, App, Button, Modal } from 'antd';
import { useTranslations } from 'next-intl';
import { useRunAction, type Action } from '../action-result';
import { DeleteOutlined } from '../icons';
import type { ExampleRemoval, ExampleStatus } from '@/lib/examples/operations';

export function ExampleBanner({ status, removeExample }: { status: ExampleStatus; removeExample: Action<Record<string, never>, ExampleRemoval> }) {
  const t = useTranslations('account.example');
  const tc = useTranslations('common');
  const run = useRunAction();
  const router = useRouter();
  const { modal } = App.useApp();
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  if (!status.loaded) return null;

  const remove = async () => {
    setRemoving(true);
    const result = await run(() => removeExample({}), { refresh: false });
    setRemoving(false);
    if (!result.ok) return;
    setConfirming(false);
    const r = result.data;
    modal.success({
      title: t('removed', { users: r.users, records: r.records }),
      content: r.keptDepartments.length + r.keptGroups.length ? t('kept', { names: [...r.keptDepartments, ...r.keptGroups].join('、') }) : undefined,
    });
    router.refresh();
  };

  return (
    <>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('title')}
        description={t('text', {
          users: status.users ?? 0,
          groups: status.groups ?? 0,
          departments: status.departments ?? 0,
          form: status.formName ?? '—',
        })}
        action={
          <Button danger icon={<DeleteOutlined />} onClick={() => setConfirming(true)} data-testid="remove-example">
            {t('remove')}
          </Button>
        }
      />
      <Modal
        open={confirming}
        title={t('confirmTitle')}
        okText={t('remove')}
        okButtonProps={{ danger: true }}
        cancelText={tc('actions.cancel')}
        confirmLoading={removing}
        onOk={remove}
        onCancel={() => setConfirming(false)}
      >
        <p>{t('confirmText')}</p>
      </Modal>
    </>
  );
}
