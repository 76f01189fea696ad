'use server';
import { serverAction } from '@/lib/next/server-action';
import { changePassword } from '@/lib/auth/operations';

export const changePasswordAction = serverAction(changePassword);
