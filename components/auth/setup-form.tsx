'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Button, Checkbox, Form, Input, Result, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import { signIn } from 'next-auth/react';
import { useRunAction, type Action } from '../action-result';
import { LockOutlined, MailOutlined, UserOutlined } from '../icons';
import { confirmRule, MIN_PASSWORD_LENGTH, passwordRules } from './password-rules';
import type { CreateFirstAdminInput } from '@/lib/setup/operations';

interface Values {
  name: string;
  email: string;
  password: string;
  confirm: string;
  loadExample: boolean;
}

/** First run: creates the first administrator (optionally with the 客户管理 example), then signs them in. */
export type ExampleAccount = { email: string; name: string; password: string };
export type CreateFirstAdminOutput = { userId: string; exampleUsers?: ExampleAccount[] };

export function SetupForm({ createFirstAdmin }: { createFirstAdmin: Action<CreateFirstAdminInput, CreateFirstAdminOutput> }) {
  const t = useTranslations('auth.setup');
  const ta = useTranslations('account.setup');
  const tp = useTranslations('auth.password');
  const router = useRouter();
  const run = useRunAction();
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  const [signInFailed, setSignInFailed] = useState(false);
  const [exampleUsers, setExampleUsers] = useState<ExampleAccount[] | null>(null);

  const onFinish = async (values: Values) => {
    setSubmitting(true);
    setSignInFailed(false);
    try {
      const email = values.email.trim();
      const result = await run(
        () => createFirstAdmin({ email, name: values.name.trim(), password: values.password, loadExample: values.loadExample }),
        { form, refresh: false },
      );
      if (!result.ok) return;
      const res = await signIn('credentials', { redirect: false, email, password: values.password });
      if (!res?.ok || res.error) {
        setSignInFailed(true);
        return;
      }
      // With the example loaded, first show the example accounts and their own initial
      // passwords: shown only here, once (the server keeps only hashes).
      if (result.data.exampleUsers?.length) setExampleUsers(result.data.exampleUsers);
      else enter();
    } finally {
      setSubmitting(false);
    }
  };

  const enter = () => {
    router.replace('/apps');
    router.refresh();
  };

  if (exampleUsers) {
    return (
      <Result
        status="success"
        title={t('doneTitle')}
        subTitle={ta('doneExample')}
        style={{ padding: '0 0 8px' }}
        extra={
          <Button type="primary" size="large" onClick={enter} data-testid="enter-app">
            {t('enter')}
          </Button>
        }
      >
        <div className="fw-accounts">
          <Typography.Text strong className="fw-accounts__title">
            {t('exampleAccounts')}
          </Typography.Text>
          <ul className="fw-accounts__list">
            {exampleUsers.map((u) => (
              <li key={u.email} className="fw-accounts__item" data-testid="example-account">
                <span>{u.name}</span>
                <Typography.Text copyable type="secondary" data-testid="example-email">
                  {u.email}
                </Typography.Text>
                <Typography.Text code copyable aria-label={ta('initialPassword')} data-testid="example-password">
                  {u.password}
                </Typography.Text>
              </li>
            ))}
          </ul>
        </div>
      </Result>
    );
  }

  return (
    <>
      <h1 className="fw-auth__title">{t('title')}</h1>
      <p className="fw-auth__subtitle">{t('subtitle')}</p>
      {signInFailed && (
        <Alert
          type="warning"
          showIcon
          title={t('signInAfterSetupFailed')}
          action={
            <Button size="small" href="/sign-in">
              {t('goToSignIn')}
            </Button>
          }
          style={{ marginBottom: 20 }}
        />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ loadExample: true }}
        onFinish={onFinish}
        disabled={submitting}
      >
        <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 100 }]}>
          <Input prefix={<UserOutlined style={{ color: '#9aa3b5' }} />} placeholder={t('namePlaceholder')} autoComplete="name" autoFocus />
        </Form.Item>
        <Form.Item
          name="email"
          label={t('email')}
          rules={[
            { required: true, message: t('emailRequired') },
            { type: 'email', message: t('emailInvalid') },
          ]}
        >
          <Input prefix={<MailOutlined style={{ color: '#9aa3b5' }} />} placeholder="admin@example.com" autoComplete="username" />
        </Form.Item>
        <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 16 }}>
          <Form.Item
            name="password"
            label={t('password')}
            extra={tp('hint', { min: MIN_PASSWORD_LENGTH })}
            rules={passwordRules({ required: tp('required'), tooShort: tp('tooShort', { min: MIN_PASSWORD_LENGTH }), weak: tp('weak') })}
          >
            <Input.Password prefix={<LockOutlined style={{ color: '#9aa3b5' }} />} autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('confirm')}
            dependencies={['password']}
            rules={confirmRule('password', tp('mismatch'), tp('confirmRequired'))}
          >
            <Input.Password prefix={<LockOutlined style={{ color: '#9aa3b5' }} />} autoComplete="new-password" />
          </Form.Item>
        </div>
        <Form.Item name="loadExample" valuePropName="checked" extra={ta('loadExampleHelp')}>
          <Checkbox>{t('loadExample')}</Checkbox>
        </Form.Item>
        <Form.Item style={{ marginBottom: 0, marginTop: 8 }}>
          <Button type="primary" htmlType="submit" size="large" block loading={submitting}>
            {submitting ? t('submitting') : t('submit')}
          </Button>
        </Form.Item>
      </Form>
    </>
  );
}
