'use server';
import { serverAction } from '@/lib/next/server-action';
import { createGroup, deleteGroup, updateGroup } from '@/lib/directory/operations';

export const createGroupAction = serverAction(createGroup);
export const updateGroupAction = serverAction(updateGroup);
export const deleteGroupAction = serverAction(deleteGroup);
