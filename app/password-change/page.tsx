import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getMe } from '@/lib/auth/operations';
import { AuthLayout } from '@/components/auth/auth-layout';
import { ForcedPasswordChange } from '@/components/auth/change-password-form';
import { changePasswordAction, signOutAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('account.password');
  return { title: t('forcedTitle') };
}

// Outside the signed-in layout: that layout sends a user who must change their password here.
export default async function PasswordChangePage() {
  const me = await callForPage(getMe, {});
  if (!me.mustChangePassword) redirect('/settings/password');
  return (
    <AuthLayout>
      <ForcedPasswordChange email={me.email} changePassword={changePasswordAction} signOutAction={signOutAction} />
    </AuthLayout>
  );
}
