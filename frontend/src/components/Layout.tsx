import { NavLink, Outlet, useLocation } from 'react-router-dom'

import PageErrorBoundary from './PageErrorBoundary'

const pages = [
  { to: '/chat', label: 'Chat' },
  { to: '/images', label: 'Images' },
  { to: '/system', label: 'System' },
]

function navLinkClass({ isActive }: { isActive: boolean }): string {
  const base = 'rounded-md px-3 py-2 text-sm font-medium'
  return isActive ? `${base} bg-indigo-600 text-white` : `${base} text-slate-700 hover:bg-slate-200`
}

export default function Layout() {
  const { pathname } = useLocation()
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-4xl items-center justify-between gap-4 px-4 py-3">
          <span className="text-lg font-semibold text-indigo-700">Mami AI</span>
          <nav aria-label="Main">
            <ul className="flex gap-1">
              {pages.map((page) => (
                <li key={page.to}>
                  <NavLink to={page.to} className={navLinkClass}>
                    {page.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-4xl px-4 py-6 focus:outline-none">
        <PageErrorBoundary key={pathname}>
          <Outlet />
        </PageErrorBoundary>
      </main>
    </div>
  )
}
