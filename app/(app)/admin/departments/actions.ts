'use server';
import { serverAction } from '@/lib/next/server-action';
import { createDepartment, deleteDepartment, updateDepartment } from '@/lib/directory/operations';

export const createDepartmentAction = serverAction(createDepartment);
export const updateDepartmentAction = serverAction(updateDepartment);
export const deleteDepartmentAction = serverAction(deleteDepartment);
