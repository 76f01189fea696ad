import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { keyStatus } from '@/lib/crypto/operations';
import { KeysAdmin } from '@/components/keys/keys-admin';
import { rotateKeyAction, rotateLookupKeyAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('keys');
  return { title: t('title') };
}

export default async function KeysPage() {
  // keys.status is admin-only: anyone else is sent to /forbidden.
  const status = await callForPage(keyStatus, {});
  return <KeysAdmin status={status} actions={{ rotateKey: rotateKeyAction, rotateLookupKey: rotateLookupKeyAction }} />;
}
