/** The Formwarden mark: a shield with a check. Plain SVG, usable in server and client components. */
export function ShieldLogo({ size = 32 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M16 2 4 6.6v8.6C4 22.6 9.1 28.3 16 30c6.9-1.7 12-7.4 12-14.8V6.6L16 2Z" fill="#1f5eff" />
      <path d="M16 2v28c6.9-1.7 12-7.4 12-14.8V6.6L16 2Z" fill="#4a7dff" />
      <path d="m10.4 16.2 3.9 3.9 7.5-7.7" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** Logo with the product name; `subtitle` is the localized second line. */
export function Brand({
  name,
  subtitle,
  tone = 'dark',
  collapsed = false,
  size = 32,
}: {
  name: string;
  subtitle?: string;
  tone?: 'dark' | 'light';
  collapsed?: boolean;
  size?: number;
}) {
  return (
    <div className={`fw-brand fw-brand--${tone}`}>
      <ShieldLogo size={size} />
      {!collapsed && (
        <div className="fw-brand__text">
          <span className="fw-brand__name">{name}</span>
          {subtitle && <span className="fw-brand__subtitle">{subtitle}</span>}
        </div>
      )}
    </div>
  );
}
