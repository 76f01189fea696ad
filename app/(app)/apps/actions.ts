'use server';
import { serverAction } from '@/lib/next/server-action';
import { createRecord, deleteRecord, revealField, updateRecord } from '@/lib/records/operations';

export const createRecordAction = serverAction(createRecord);
export const updateRecordAction = serverAction(updateRecord);
export const deleteRecordAction = serverAction(deleteRecord);
export const revealFieldAction = serverAction(revealField);
