'use server';
import { serverAction } from '@/lib/next/server-action';
import { createFirstAdmin } from '@/lib/setup/operations';

export const createFirstAdminAction = serverAction(createFirstAdmin);
