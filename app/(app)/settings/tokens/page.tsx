import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listApiTokens } from '@/lib/auth/operations';
import { TokensManager } from '@/components/tokens/tokens-manager';
import { createApiTokenAction, revokeApiTokenAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('tokens');
  return { title: t('title') };
}

export default async function TokensPage() {
  const tokens = await callForPage(listApiTokens, {});
  return <TokensManager tokens={tokens} actions={{ createToken: createApiTokenAction, revokeToken: revokeApiTokenAction }} />;
}
