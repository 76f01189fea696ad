import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listGroups, listUserOptions } from '@/lib/directory/operations';
import { GroupsAdmin } from '@/components/directory/groups-admin';
import { createGroupAction, deleteGroupAction, updateGroupAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('directory.groups');
  return { title: t('title') };
}

export default async function GroupsPage() {
  // listGroups is admin-only: a non-admin is sent to /forbidden.
  const groups = await callForPage(listGroups, {});
  const users = await callForPage(listUserOptions, {});
  return (
    <GroupsAdmin
      groups={groups}
      users={users}
      actions={{ createGroup: createGroupAction, updateGroup: updateGroupAction, deleteGroup: deleteGroupAction }}
    />
  );
}
