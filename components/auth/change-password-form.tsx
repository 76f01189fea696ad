'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { App, Button, Form, Input } from 'antd';
import { useTranslations } from 'next-intl';
import { useRunAction, type Action } from '../action-result';
import { LockOutlined } from '../icons';
import { confirmRule, MIN_PASSWORD_LENGTH, passwordRules } from './password-rules';

export type ChangePasswordAction = Action<{ currentPassword: string; newPassword: string }, { ok: true; sessionsEnded: number }>;

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/**
 * Current password, new password (the password rules), confirmation. Used on
 * the settings page and on the forced change after someone else chose the
 * password; `onDone` decides where the user goes next.
 */
export function ChangePasswordForm({ changePassword, afterChange }: { changePassword: ChangePasswordAction; afterChange?: string }) {
  const t = useTranslations('account.password');
  const tp = useTranslations('auth.password');
  const run = useRunAction();
  const router = useRouter();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);

  const onFinish = async (values: Values) => {
    setSaving(true);
    const result = await run(() => changePassword({ currentPassword: values.currentPassword, newPassword: values.newPassword }), { form, refresh: false });
    setSaving(false);
    if (!result.ok) return;
    const ended = result.data.sessionsEnded;
    message.success(ended ? t('doneOthers', { count: ended }) : t('done'));
    form.resetFields();
    if (afterChange) router.replace(afterChange);
    router.refresh();
  };

  const icon = <LockOutlined style={{ color: '#9aa3b5' }} />;
  return (
    <Form<Values> form={form} layout="vertical" requiredMark={false} onFinish={onFinish} disabled={saving} style={{ maxWidth: 420 }}>
      <Form.Item name="currentPassword" label={t('current')} rules={[{ required: true, message: t('currentRequired') }]}>
        <Input.Password prefix={icon} autoComplete="current-password" autoFocus />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('new')}
        extra={tp('hint', { min: MIN_PASSWORD_LENGTH })}
        rules={passwordRules({ required: tp('required'), tooShort: tp('tooShort', { min: MIN_PASSWORD_LENGTH }), weak: tp('weak') })}
      >
        <Input.Password prefix={icon} autoComplete="new-password" />
      </Form.Item>
      <Form.Item name="confirm" label={tp('confirm')} dependencies={['newPassword']} rules={confirmRule('newPassword', tp('mismatch'), tp('confirmRequired'))}>
        <Input.Password prefix={icon} autoComplete="new-password" />
      </Form.Item>
      <Form.Item style={{ marginBottom: 0 }}>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="change-password-submit">
          {t('submit')}
        </Button>
      </Form.Item>
    </Form>
  );
}

/** The forced change: nothing else of the app is open until it is done. */
export function ForcedPasswordChange({
  email,
  changePassword,
  signOutAction,
}: {
  email: string;
  changePassword: ChangePasswordAction;
  signOutAction: Action<Record<string, never>>;
}) {
  const t = useTranslations('account.password');
  return (
    <>
      <h1 className="fw-auth__title">{t('forcedTitle')}</h1>
      <p className="fw-auth__subtitle">{t('forcedText')}</p>
      <p style={{ color: '#8a93a6', fontSize: 13 }}>{t('signedInAs', { email })}</p>
      <ChangePasswordForm changePassword={changePassword} afterChange="/apps" />
      <SignOutLink signOutAction={signOutAction} />
    </>
  );
}

function SignOutLink({ signOutAction }: { signOutAction: Action<Record<string, never>> }) {
  const t = useTranslations('account.password');
  const signOut = async () => {
    try {
      await signOutAction({});
    } finally {
      const { signOut: endBrowserSession } = await import('next-auth/react');
      await endBrowserSession({ redirect: false, callbackUrl: '/sign-in' });
      window.location.assign('/sign-in');
    }
  };
  return (
    <Button type="link" style={{ paddingInline: 0, marginTop: 16 }} onClick={() => void signOut()}>
      {t('signOut')}
    </Button>
  );
}
