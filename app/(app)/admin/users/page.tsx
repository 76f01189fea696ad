import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getMe } from '@/lib/auth/operations';
import { listDepartments, listGroups, listUsers } from '@/lib/directory/operations';
import { UsersAdmin } from '@/components/directory/users-admin';
import { createUserAction, listUserTokensAction, resetPasswordAction, revokeUserTokenAction, setUserStatusAction, unlockAccountAction, updateUserAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('directory.users');
  return { title: t('title') };
}

export default async function UsersPage() {
  // listUsers is admin-only: a non-admin is sent to /forbidden.
  const users = await callForPage(listUsers, {});
  const [departments, groups, me] = await Promise.all([callForPage(listDepartments, {}), callForPage(listGroups, {}), callForPage(getMe, {})]);
  return (
    <UsersAdmin
      users={users}
      departments={departments}
      groups={groups.map((g) => ({ id: g.id, name: g.name }))}
      currentUserId={me.id}
      actions={{
        createUser: createUserAction,
        updateUser: updateUserAction,
        setUserStatus: setUserStatusAction,
        resetPassword: resetPasswordAction,
        unlockAccount: unlockAccountAction,
        listUserTokens: listUserTokensAction,
        revokeUserToken: revokeUserTokenAction,
      }}
    />
  );
}
