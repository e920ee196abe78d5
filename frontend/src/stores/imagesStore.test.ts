import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { jsonResponse, replaceFetch } from '../test/fakeFetch'
import { job } from '../test/samples'
import { hasActiveJobs, pollJobs, useImagesStore } from './imagesStore'

const initialState = useImagesStore.getState()
const png = () => new File([new Uint8Array([137, 80, 78, 71])], 'cat.png', { type: 'image/png' })

describe('images store', () => {
  beforeEach(() => useImagesStore.setState(initialState, true))

  it('loads the job list and leaves the loading state', async () => {
    const jobs = [job({ id: 'b' }), job({ id: 'a', status: 'done' })]
    replaceFetch(() => jsonResponse(jobs))
    expect(useImagesStore.getState().loading).toBe(true)
    await useImagesStore.getState().loadJobs()
    expect(useImagesStore.getState()).toMatchObject({ jobs, loading: false, loadError: null })
  })

  it('keeps the last list and says why a reload failed', async () => {
    const jobs = [job()]
    replaceFetch(
      () => jsonResponse(jobs),
      () => Promise.reject(new TypeError('Failed to fetch')),
    )
    await useImagesStore.getState().loadJobs()
    await useImagesStore.getState().loadJobs()
    const state = useImagesStore.getState()
    expect(state.jobs).toEqual(jobs)
    expect(state.loadError).toMatch(/^Could not reach the Mami API/)
  })

  it('puts an uploaded job first and replaces an older copy of it', async () => {
    const older = job({ id: 'old', status: 'done' })
    const created = job({ id: 'new' })
    useImagesStore.setState({ jobs: [job({ id: 'new', status: 'failed' }), older] })
    replaceFetch(() => jsonResponse(created, 201))
    await expect(useImagesStore.getState().upload(png())).resolves.toEqual(created)
    expect(useImagesStore.getState().jobs).toEqual([created, older])
    expect(useImagesStore.getState().uploading).toBe(false)
  })

  it('refuses a file that is not an image without uploading it', async () => {
    const requests = replaceFetch(() => jsonResponse(job(), 201))
    const text = new File(['hello'], 'notes.txt', { type: 'text/plain' })
    await expect(useImagesStore.getState().upload(text)).resolves.toBeNull()
    expect(useImagesStore.getState().uploadError).toBe('"notes.txt" is not a JPEG, PNG or WebP image (text/plain).')
    expect(requests).toEqual([])
  })

  it("shows the server's refusal of a too large image", async () => {
    replaceFetch(() => jsonResponse({ detail: 'file is larger than 10485760 bytes' }, 413))
    await expect(useImagesStore.getState().upload(png())).resolves.toBeNull()
    expect(useImagesStore.getState()).toMatchObject({
      uploading: false,
      uploadError: 'The image is too large for the server: file is larger than 10485760 bytes',
      jobs: [],
    })
  })

  it('knows when the worker still has work', () => {
    expect(hasActiveJobs([job({ status: 'done' }), job({ status: 'failed' })])).toBe(false)
    expect(hasActiveJobs([job({ status: 'done' }), job({ status: 'processing' })])).toBe(true)
    expect(hasActiveJobs([job({ status: 'pending' })])).toBe(true)
  })
})

describe('job polling', () => {
  beforeEach(() => {
    useImagesStore.setState(initialState, true)
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('reloads while a job is unfinished and stops once all are settled', async () => {
    const requests = replaceFetch(
      () => jsonResponse([job({ status: 'pending' })]),
      () => jsonResponse([job({ status: 'processing' })]),
      () => jsonResponse([job({ status: 'done' })]),
    )
    const stop = pollJobs(1000)
    await vi.advanceTimersByTimeAsync(0)
    expect(useImagesStore.getState().jobs[0]?.status).toBe('pending')
    await vi.advanceTimersByTimeAsync(1000)
    expect(useImagesStore.getState().jobs[0]?.status).toBe('processing')
    await vi.advanceTimersByTimeAsync(1000)
    expect(useImagesStore.getState().jobs[0]?.status).toBe('done')
    await vi.advanceTimersByTimeAsync(5000)
    expect(requests).toHaveLength(3)
    stop()
  })

  it('retries after a failed load and stops when told to', async () => {
    const requests = replaceFetch(
      () => Promise.reject(new TypeError('Failed to fetch')),
      () => jsonResponse([]),
    )
    const stop = pollJobs(1000)
    await vi.advanceTimersByTimeAsync(0)
    expect(useImagesStore.getState().loadError).not.toBeNull()
    await vi.advanceTimersByTimeAsync(1000)
    expect(useImagesStore.getState().loadError).toBeNull()
    stop()
    useImagesStore.setState({ jobs: [job({ status: 'pending' })] })
    await vi.advanceTimersByTimeAsync(5000)
    expect(requests).toHaveLength(2)
  })
})
