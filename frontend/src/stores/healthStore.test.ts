import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse, replaceFetch } from '../test/fakeFetch'
import { healthyReport, unhealthyReport } from '../test/samples'
import { pollHealth, useHealthStore } from './healthStore'

const initialState = useHealthStore.getState()

describe('health store', () => {
  beforeEach(() => useHealthStore.setState(initialState, true))

  it('stores a healthy and an unhealthy report alike', async () => {
    replaceFetch(
      () => jsonResponse(healthyReport),
      () => jsonResponse(unhealthyReport, 503),
    )
    await useHealthStore.getState().refresh()
    expect(useHealthStore.getState()).toMatchObject({ report: healthyReport, error: null, checking: false })
    expect(useHealthStore.getState().checkedAt).toBeInstanceOf(Date)
    await useHealthStore.getState().refresh()
    expect(useHealthStore.getState().report).toEqual(unhealthyReport)
  })

  it('keeps the last report when the API becomes unreachable', async () => {
    replaceFetch(
      () => jsonResponse(healthyReport),
      () => Promise.reject(new TypeError('Failed to fetch')),
    )
    await useHealthStore.getState().refresh()
    await useHealthStore.getState().refresh()
    const state = useHealthStore.getState()
    expect(state.report).toEqual(healthyReport)
    expect(state.error).toMatch(/^Could not reach the Mami API/)
  })

  it('does not start a second check while one is running', async () => {
    let release: (response: Response) => void = () => {}
    const requests = replaceFetch(() => new Promise<Response>((resolve) => (release = resolve)))
    const first = useHealthStore.getState().refresh()
    await useHealthStore.getState().refresh()
    await Promise.resolve()
    release(jsonResponse(healthyReport))
    await first
    expect(requests).toHaveLength(1)
  })
})

describe('health polling', () => {
  beforeEach(() => {
    useHealthStore.setState(initialState, true)
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('checks at once, then on every interval until stopped', async () => {
    const requests = replaceFetch(() => jsonResponse(healthyReport))
    const stop = pollHealth(5000)
    await vi.advanceTimersByTimeAsync(0)
    expect(requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(requests).toHaveLength(3)
    stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(requests).toHaveLength(3)
  })
})
