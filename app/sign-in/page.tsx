import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getSetupStatus } from '@/lib/setup/operations';
import { AuthLayout } from '@/components/auth/auth-layout';
import { SignInForm } from '@/components/auth/sign-in-form';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth.signIn');
  return { title: t('title') };
}

/** Only a path on this site: an absolute callbackUrl would make the sign-in page an open redirect. */
function safeCallbackUrl(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || v.startsWith('/sign-in')) return '/apps';
  return v;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ needsSetup }, params] = await Promise.all([callForPage(getSetupStatus, {}), searchParams]);
  if (needsSetup) redirect('/setup');
  return (
    <AuthLayout>
      <SignInForm callbackUrl={safeCallbackUrl(params.callbackUrl)} />
    </AuthLayout>
  );
}
