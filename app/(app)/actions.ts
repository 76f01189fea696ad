'use server';
import { serverAction } from '@/lib/next/server-action';
import { signOut } from '@/lib/auth/operations';

export const signOutAction = serverAction(signOut);
