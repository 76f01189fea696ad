import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getSetupStatus } from '@/lib/setup/operations';
import { AuthLayout } from '@/components/auth/auth-layout';
import { SignInForm } from '@/components/auth/sign-in-form';
// Only a path on this site, parsed as a URL against the app's origin (open redirect, issue 5 item 6).
import { callbackPath } from '@/lib/next/redirect';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth.signIn');
  return { title: t('title') };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ needsSetup }, params] = await Promise.all([callForPage(getSetupStatus, {}), searchParams]);
  if (needsSetup) redirect('/setup');
  return (
    <AuthLayout>
      <SignInForm callbackUrl={callbackPath(params.callbackUrl)} initialError={typeof params.error === 'string' ? params.error : undefined} />
    </AuthLayout>
  );
}
