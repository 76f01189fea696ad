'use server';
import { serverAction } from '@/lib/next/server-action';
import { createApiToken, revokeApiToken } from '@/lib/auth/operations';

export const createApiTokenAction = serverAction(createApiToken);
export const revokeApiTokenAction = serverAction(revokeApiToken);
