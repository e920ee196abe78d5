import { useEffect } from 'react'

import type { ComponentHealth } from '../api/types'
import { Badge, ErrorNotice, Spinner } from '../components/feedback'
import { pollHealth, useHealthStore } from '../stores/healthStore'

const HEALTH_POLL_INTERVAL_MS = 5000

function ComponentRow({ name, health }: { name: string; health: ComponentHealth }) {
  const up = health.status === 'up'
  return (
    <tr className="border-t border-slate-200" aria-label={`${name} component`}>
      <th scope="row" className="py-2 pr-4 text-left font-medium capitalize">
        {name}
      </th>
      <td className="py-2 pr-4">
        <Badge tone={up ? 'good' : health.required ? 'bad' : 'busy'}>{up ? 'Up' : 'Down'}</Badge>
      </td>
      <td className="py-2 pr-4 text-sm">{health.required ? 'Required' : 'Optional'}</td>
      <td className="py-2 text-sm text-slate-600">{health.detail ?? ''}</td>
    </tr>
  )
}

export default function SystemPage() {
  const { report, error, checking, checkedAt, refresh } = useHealthStore()

  useEffect(() => pollHealth(HEALTH_POLL_INTERVAL_MS), [])

  const healthy = report?.status === 'ok'
  return (
    <section aria-labelledby="system-title" className="space-y-4">
      <h1 id="system-title" className="text-2xl font-semibold">
        System
      </h1>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          onClick={() => void refresh()}
          disabled={checking}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm disabled:opacity-50"
        >
          Check now
        </button>
        {checking && <Spinner label="Checking…" />}
        {checkedAt && <span className="text-xs text-slate-600">Last checked {checkedAt.toLocaleTimeString()}</span>}
      </div>
      {error && <ErrorNotice title="Health check failed" message={error} />}
      {report && (
        <>
          <p role="status" className={`font-medium ${healthy ? 'text-green-800' : 'text-red-800'}`}>
            {healthy ? 'All required components are up.' : 'A required component is down.'}
          </p>
          <table className="w-full border-collapse rounded-lg bg-white">
            <caption className="sr-only">Component health</caption>
            <thead>
              <tr className="text-left text-xs uppercase text-slate-500">
                <th scope="col" className="py-2 pr-4">
                  Component
                </th>
                <th scope="col" className="py-2 pr-4">
                  State
                </th>
                <th scope="col" className="py-2 pr-4">
                  Needed
                </th>
                <th scope="col" className="py-2">
                  Detail
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(report.components).map(([name, health]) => (
                <ComponentRow key={name} name={name} health={health} />
              ))}
            </tbody>
          </table>
        </>
      )}
      {!report && !error && <Spinner label="Loading health…" />}
    </section>
  )
}
