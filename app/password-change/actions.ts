'use server';
import { serverAction } from '@/lib/next/server-action';
import { changePassword, signOut } from '@/lib/auth/operations';

export const changePasswordAction = serverAction(changePassword);
export const signOutAction = serverAction(signOut);
