import { redirect } from 'next/navigation';
import { callForPage } from '@/lib/next/page';
import { getSetupStatus } from '@/lib/setup/operations';

export default async function Home() {
  const { needsSetup } = await callForPage(getSetupStatus, {});
  redirect(needsSetup ? '/setup' : '/apps');
}
