import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { callForPage } from '@/lib/next/page';
import { getMe } from '@/lib/auth/operations';
import { AppShell } from '@/components/app-shell';
import { signOutAction } from './actions';

// Signed-in pages: no session (or a revoked one) goes to /sign-in.
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const me = await callForPage(getMe, {});
  // A password someone else chose opens nothing else (the operations refuse too).
  if (me.mustChangePassword) redirect('/password-change');
  return (
    <AppShell user={{ name: me.name, email: me.email, isAdmin: me.isAdmin }} signOutAction={signOutAction}>
      {children}
    </AppShell>
  );
}
