import type { ReactNode } from 'react';

/** Title row of a page inside the app shell: title, one line of help, actions on the right. */
export function PageHeader({ title, description, extra }: { title: ReactNode; description?: ReactNode; extra?: ReactNode }) {
  return (
    <div className="fw-page-header">
      <div className="fw-page-header__text">
        <h1 className="fw-page-header__title">{title}</h1>
        {description && <p className="fw-page-header__description">{description}</p>}
      </div>
      {extra && <div className="fw-page-header__extra">{extra}</div>}
    </div>
  );
}
