'use server';
import { serverAction } from '@/lib/next/server-action';
import { createUser, resetPassword, setUserStatus, updateUser } from '@/lib/directory/operations';
import { listUserApiTokens, revokeUserApiToken, unlockAccount } from '@/lib/auth/operations';

export const createUserAction = serverAction(createUser);
export const updateUserAction = serverAction(updateUser);
export const setUserStatusAction = serverAction(setUserStatus);
export const resetPasswordAction = serverAction(resetPassword);
export const unlockAccountAction = serverAction(unlockAccount);
export const listUserTokensAction = serverAction(listUserApiTokens);
export const revokeUserTokenAction = serverAction(revokeUserApiToken);
