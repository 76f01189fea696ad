import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Card } from 'antd';
import { callForPage } from '@/lib/next/page';
import { getMe } from '@/lib/auth/operations';
import { PageHeader } from '@/components/page-header';
import { ChangePasswordForm } from '@/components/auth/change-password-form';
import { changePasswordAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('account.password');
  return { title: t('title') };
}

export default async function ChangePasswordPage() {
  const [t] = await Promise.all([getTranslations('account.password'), callForPage(getMe, {})]);
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Card variant="borderless">
        <ChangePasswordForm changePassword={changePasswordAction} />
      </Card>
    </>
  );
}
