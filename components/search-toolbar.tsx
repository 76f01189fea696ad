'use client';
import type { ReactNode } from 'react';
import { Input, Typography } from 'antd';
import { SearchOutlined } from './icons';

/** The row above an admin table: a filter box on the left, a summary on the right. */
export function SearchToolbar({ value, onChange, placeholder, summary }: { value: string; onChange: (v: string) => void; placeholder: string; summary: ReactNode }) {
  return (
    <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '16px 20px', gap: 16, flexWrap: 'wrap' }}>
      <Input
        allowClear
        prefix={<SearchOutlined style={{ color: '#9aa3b5' }} />}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        style={{ width: 300 }}
      />
      <Typography.Text type="secondary">{summary}</Typography.Text>
    </div>
  );
}
