// Small shared pieces for request states: waiting, failing, and a component's status.

import type { ReactNode } from 'react'

export function ErrorNotice({ message, title }: { message: string; title?: string }) {
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800">
      {title && <p className="font-semibold">{title}</p>}
      <p>{message}</p>
    </div>
  )
}

export function Spinner({ label }: { label: string }) {
  return (
    <span role="status" className="inline-flex items-center gap-2 text-sm text-slate-600">
      <span
        aria-hidden="true"
        className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600"
      />
      {label}
    </span>
  )
}

const badgeColours = {
  good: 'bg-green-100 text-green-800',
  busy: 'bg-amber-100 text-amber-800',
  bad: 'bg-red-100 text-red-800',
  idle: 'bg-slate-200 text-slate-700',
} as const

export function Badge({ tone, children }: { tone: keyof typeof badgeColours; children: ReactNode }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${badgeColours[tone]}`}>
      {children}
    </span>
  )
}
