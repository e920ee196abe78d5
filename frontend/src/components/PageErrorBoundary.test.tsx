// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

import PageErrorBoundary from './PageErrorBoundary'

function Broken(): never {
  throw new Error('jobs is not iterable')
}

describe('PageErrorBoundary', () => {
  afterEach(cleanup)

  it('shows what broke instead of a blank page', () => {
    // React reports the caught error on the console; keep the test output readable.
    vi.spyOn(console, 'error').mockImplementation(() => {})
    render(
      <PageErrorBoundary>
        <Broken />
      </PageErrorBoundary>,
    )
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain('This page failed to show')
    expect(alert.textContent).toContain('jobs is not iterable')
  })

  it('shows the page when nothing breaks', () => {
    render(
      <PageErrorBoundary>
        <p>fine</p>
      </PageErrorBoundary>,
    )
    expect(screen.getByText('fine')).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
  })
})
