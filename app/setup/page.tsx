import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getSetupStatus } from '@/lib/setup/operations';
import { AuthLayout } from '@/components/auth/auth-layout';
import { SetupForm } from '@/components/auth/setup-form';
import { createFirstAdminAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth.setup');
  return { title: t('title') };
}

// Only while no user exists; createFirstAdmin refuses afterwards as well.
export default async function SetupPage() {
  const { needsSetup } = await callForPage(getSetupStatus, {});
  if (!needsSetup) redirect('/sign-in');
  return (
    <AuthLayout wide>
      <SetupForm createFirstAdmin={createFirstAdminAction} />
    </AuthLayout>
  );
}
