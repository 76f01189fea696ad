'use client';
/**
 * The frame of every signed-in page: navigation on the left (the 管理
 * section only for administrators; the server refuses non-admins anyway),
 * the user's menu and the language switch on top.
 */
import { useEffect, useState, type ReactNode } from 'react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Avatar, Button, Drawer, Dropdown, Layout, Menu, Space, Tag, type MenuProps } from 'antd';
import { useTranslations } from 'next-intl';
import { signOut as endBrowserSession } from 'next-auth/react';
import { Brand } from './brand';
import { LanguageSwitch } from './language-switch';
import {
  ApartmentOutlined,
  AppstoreOutlined,
  DownOutlined,
  FormOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  MenuOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
  UserOutlined,
} from './icons';

export interface ShellUser {
  name: string;
  email: string;
  isAdmin: boolean;
}

const SECTIONS = ['/apps', '/admin/forms', '/admin/users', '/admin/departments', '/admin/groups', '/admin/access', '/admin/keys', '/settings/tokens'] as const;

function selectedSection(pathname: string): string | undefined {
  return SECTIONS.filter((s) => pathname === s || pathname.startsWith(`${s}/`)).sort((a, b) => b.length - a.length)[0];
}

export function AppShell({
  user,
  signOutAction,
  children,
}: {
  user: ShellUser;
  /** Ends the server-side session (the `signOut` operation). */
  signOutAction: (input: Record<string, never>) => Promise<unknown>;
  children: ReactNode;
}) {
  const t = useTranslations('nav');
  const tc = useTranslations('common.product');
  const pathname = usePathname();
  const [collapsed, setCollapsed] = useState(false);
  // Phones get the navigation in a drawer (the sider is hidden by CSS below 768 px).
  const [drawerOpen, setDrawerOpen] = useState(false);
  useEffect(() => setDrawerOpen(false), [pathname]);

  const items: MenuProps['items'] = [
    { key: '/apps', icon: <AppstoreOutlined />, label: <Link href="/apps">{t('workbench')}</Link> },
    ...(user.isAdmin
      ? [
          {
            type: 'group' as const,
            key: 'admin',
            label: t('admin'),
            children: [
              { key: '/admin/forms', icon: <FormOutlined />, label: <Link href="/admin/forms">{t('forms')}</Link> },
              { key: '/admin/users', icon: <UserOutlined />, label: <Link href="/admin/users">{t('users')}</Link> },
              { key: '/admin/departments', icon: <ApartmentOutlined />, label: <Link href="/admin/departments">{t('departments')}</Link> },
              { key: '/admin/groups', icon: <TeamOutlined />, label: <Link href="/admin/groups">{t('groups')}</Link> },
              { key: '/admin/access', icon: <SafetyCertificateOutlined />, label: <Link href="/admin/access">{t('access')}</Link> },
              { key: '/admin/keys', icon: <LockOutlined />, label: <Link href="/admin/keys">{t('keys')}</Link> },
            ],
          },
        ]
      : []),
  ];

  const signOut = async () => {
    try {
      // Revoke the session in the database first: the JWT alone would stay valid until it expires.
      await signOutAction({});
    } finally {
      // No redirect from next-auth: it builds absolute URLs from NEXTAUTH_URL,
      // which may not be the address the user is on. A relative path always is.
      await endBrowserSession({ redirect: false, callbackUrl: '/sign-in' });
      window.location.assign('/sign-in');
    }
  };

  const userMenu: MenuProps = {
    items: [
      {
        key: 'who',
        disabled: true,
        label: (
          <div className="fw-user-menu__who">
            <div className="fw-user-menu__name">{user.name}</div>
            <div className="fw-user-menu__email">{user.email}</div>
          </div>
        ),
      },
      { type: 'divider' },
      { key: 'password', icon: <LockOutlined />, label: <Link href="/settings/password">{t('changePassword')}</Link> },
      { key: 'tokens', icon: <KeyOutlined />, label: <Link href="/settings/tokens">{t('tokens')}</Link> },
      { type: 'divider' },
      { key: 'sign-out', icon: <LogoutOutlined />, danger: true, label: t('signOut'), onClick: () => void signOut() },
    ],
  };

  const selected = selectedSection(pathname);

  return (
    <Layout className="fw-shell">
      <Layout.Sider
        className="fw-shell__sider"
        width={232}
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        breakpoint="lg"
      >
        <Link href="/apps" className="fw-shell__brand" aria-label={tc('fullName')}>
          <Brand name={tc('name')} subtitle={tc('subtitle')} collapsed={collapsed} tone="dark" />
        </Link>
        <Menu theme="dark" mode="inline" selectedKeys={selected ? [selected] : []} items={items} />
      </Layout.Sider>
      <Drawer
        className="fw-shell__drawer"
        placement="left"
        size={264}
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        closable={false}
        styles={{ body: { padding: 0, background: '#0f1b3d' } }}
      >
        <Link href="/apps" className="fw-shell__brand" aria-label={tc('fullName')}>
          <Brand name={tc('name')} subtitle={tc('subtitle')} tone="dark" />
        </Link>
        <Menu theme="dark" mode="inline" selectedKeys={selected ? [selected] : []} items={items} onClick={() => setDrawerOpen(false)} />
      </Drawer>
      <Layout>
        <Layout.Header className="fw-shell__header">
          <div className="fw-shell__header-left">
            <Button
              type="text"
              className="fw-shell__menu-button"
              icon={<MenuOutlined />}
              aria-label={t('openMenu')}
              onClick={() => setDrawerOpen(true)}
              data-testid="nav-menu-button"
            />
            <span className="fw-shell__tagline">{tc('tagline')}</span>
          </div>
          <Space size={4}>
            <LanguageSwitch />
            <Dropdown menu={userMenu} trigger={['click']} placement="bottomRight">
              <button type="button" className="fw-shell__user" data-testid="user-menu">
                <Avatar size={28} style={{ background: '#1f5eff' }}>
                  {user.name.slice(0, 1).toUpperCase()}
                </Avatar>
                <span className="fw-shell__user-name">{user.name}</span>
                {user.isAdmin && (
                  <Tag color="blue" variant="filled" style={{ marginInlineEnd: 0 }}>
                    {t('adminBadge')}
                  </Tag>
                )}
                <DownOutlined style={{ fontSize: 10, color: '#8a93a6' }} />
              </button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content className="fw-shell__content">{children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
