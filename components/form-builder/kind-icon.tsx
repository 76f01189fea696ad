'use client';
/** One icon per field kind, for the palette, the canvas and the field list. */
import type { FieldKind } from '@/lib/forms/field-kinds';
import {
  AlignLeftOutlined,
  CalendarOutlined,
  CheckSquareOutlined,
  CreditCardOutlined,
  EnvironmentOutlined,
  FieldNumberOutlined,
  FieldTimeOutlined,
  FontSizeOutlined,
  IdcardOutlined,
  MailOutlined,
  PhoneOutlined,
  UnorderedListOutlined,
  UserOutlined,
  DownOutlined,
} from '../icons';

export function KindIcon({ kind }: { kind: FieldKind }) {
  switch (kind) {
    case 'text':
      return <FontSizeOutlined />;
    case 'textarea':
      return <AlignLeftOutlined />;
    case 'number':
      return <FieldNumberOutlined />;
    case 'date':
      return <CalendarOutlined />;
    case 'datetime':
      return <FieldTimeOutlined />;
    case 'select':
      return <DownOutlined />;
    case 'multiselect':
      return <UnorderedListOutlined />;
    case 'checkbox':
      return <CheckSquareOutlined />;
    case 'phone':
      return <PhoneOutlined />;
    case 'email':
      return <MailOutlined />;
    case 'id-card':
      return <IdcardOutlined />;
    case 'bank-card':
      return <CreditCardOutlined />;
    case 'address':
      return <EnvironmentOutlined />;
    case 'owner':
      return <UserOutlined />;
    default:
      return <FontSizeOutlined />;
  }
}
