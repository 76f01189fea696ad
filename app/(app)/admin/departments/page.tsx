import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listDepartments, listUsers } from '@/lib/directory/operations';
import { DepartmentsAdmin } from '@/components/directory/departments-admin';
import { createDepartmentAction, deleteDepartmentAction, updateDepartmentAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('directory.departments');
  return { title: t('title') };
}

export default async function DepartmentsPage() {
  // listUsers is admin-only, so a non-admin is sent to /forbidden before seeing anything.
  const users = await callForPage(listUsers, {});
  const departments = await callForPage(listDepartments, {});
  return (
    <DepartmentsAdmin
      departments={departments}
      members={users.filter((u) => u.department).map((u) => ({ id: u.id, name: u.name, email: u.email, departmentId: u.department!.id, status: u.status }))}
      actions={{ createDepartment: createDepartmentAction, updateDepartment: updateDepartmentAction, deleteDepartment: deleteDepartmentAction }}
    />
  );
}
