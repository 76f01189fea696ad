'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Button, Form, Input } from 'antd';
import { useTranslations } from 'next-intl';
import { signIn } from 'next-auth/react';
import { LockOutlined, MailOutlined } from '../icons';
import { signInFailureOf, type SignInFailure } from './sign-in-error';

interface Values {
  email: string;
  password: string;
}

/**
 * Email + password through next-auth's credentials provider (which calls the
 * `auth.signIn` operation). One message for every wrong email or password:
 * the form must not tell an attacker which emails have accounts; a lock or a
 * rate limit is named, with the minutes to wait.
 */
export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const t = useTranslations('auth.signIn');
  const router = useRouter();
  const [submitting, setSubmitting] = useState(false);
  const [failed, setFailed] = useState<SignInFailure | null>(initialError && initialError !== 'SessionRequired' ? signInFailureOf(initialError) : null);

  const onFinish = async (values: Values) => {
    setSubmitting(true);
    setFailed(null);
    try {
      const res = await signIn('credentials', { redirect: false, email: values.email.trim(), password: values.password });
      if (!res || res.error || !res.ok) {
        setFailed(signInFailureOf(res?.error));
        return;
      }
      router.replace(callbackUrl);
      router.refresh();
    } catch {
      setFailed({ kind: 'wrong' });
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <>
      <h1 className="fw-auth__title">{t('title')}</h1>
      <p className="fw-auth__subtitle">{t('subtitle')}</p>
      {failed && (
        <Alert
          type="error"
          showIcon
          title={failed.kind === 'wrong' ? t('wrongCredentials') : t(failed.kind, { minutes: failed.minutes })}
          style={{ marginBottom: 20 }}
          role="alert"
        />
      )}
      <Form<Values> layout="vertical" size="large" requiredMark={false} onFinish={onFinish} autoComplete="on">
        <Form.Item
          name="email"
          label={t('email')}
          rules={[
            { required: true, message: t('emailRequired') },
            { type: 'email', message: t('emailInvalid') },
          ]}
        >
          <Input prefix={<MailOutlined style={{ color: '#9aa3b5' }} />} placeholder={t('emailPlaceholder')} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('passwordRequired') }]}>
          <Input.Password prefix={<LockOutlined style={{ color: '#9aa3b5' }} />} placeholder={t('passwordPlaceholder')} autoComplete="current-password" />
        </Form.Item>
        <Form.Item style={{ marginTop: 8, marginBottom: 16 }}>
          <Button type="primary" htmlType="submit" block loading={submitting}>
            {submitting ? t('submitting') : t('submit')}
          </Button>
        </Form.Item>
      </Form>
      <p style={{ color: '#8a93a6', fontSize: 13, margin: 0 }}>{t('help')}</p>
    </>
  );
}
