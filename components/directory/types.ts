/**
 * What the directory pages receive from the operations (lib/directory), as
 * plain data. Repeated here so client components import nothing server-side;
 * the pages pass the operations' DTOs, and TypeScript checks they fit.
 */
export interface DirectoryUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  status: 'active' | 'disabled';
  department: { id: string; name: string } | null;
  groups: { id: string; name: string }[];
  createdAt: string;
}

export interface DepartmentNode {
  id: string;
  name: string;
  parentId: string | null;
  memberCount: number;
  children: DepartmentNode[];
}

export interface DirectoryGroup {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  members: { id: string; name: string }[];
}

export interface UserOption {
  id: string;
  name: string;
  departmentName: string | null;
}

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
