'use server';
import { serverAction } from '@/lib/next/server-action';
import { createFirstAdmin } from '@/lib/directory/setup';

export const createFirstAdminAction = serverAction(createFirstAdmin);
