/**
 * What the directory pages receive from the operations, as plain data. Type
 * imports only: they vanish at compile time, so no server code reaches the
 * browser, and the pages and components cannot drift from the DTOs.
 */
import type { DepartmentNode } from '@/lib/directory/operations';

export type { UserDTO as DirectoryUser, DepartmentNode, GroupDTO as DirectoryGroup } from '@/lib/directory/operations';
export type UserOption = { id: string; name: string; departmentName: string | null };

export interface TreeSelectNode {
  value: string;
  title: string;
  key: string;
  disabled?: boolean;
  children: TreeSelectNode[];
}

/** Departments as antd TreeSelect data; `disable` greys out a subtree (e.g. a department cannot move under itself). */
export function departmentTreeData(nodes: DepartmentNode[], disable?: (node: DepartmentNode) => boolean, inherited = false): TreeSelectNode[] {
  return nodes.map((n) => {
    const disabled = inherited || (disable?.(n) ?? false);
    return { value: n.id, key: n.id, title: n.name, disabled, children: departmentTreeData(n.children, disable, disabled) };
  });
}

export function flattenDepartments(nodes: DepartmentNode[], path: string[] = []): { node: DepartmentNode; path: string[] }[] {
  return nodes.flatMap((n) => [{ node: n, path: [...path, n.name] }, ...flattenDepartments(n.children, [...path, n.name])]);
}
