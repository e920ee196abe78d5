import { create } from 'zustand'

import { listJobs, uploadImage } from '../api/client'
import { ACCEPTED_IMAGE_TYPES, type Job } from '../api/types'
import { messageOf } from './errors'

interface ImagesState {
  jobs: Job[]
  /** True until the first job list arrived (or failed). */
  loading: boolean
  loadError: string | null
  uploading: boolean
  uploadError: string | null
  /** Loads the job list; later calls refresh it without showing the loading state again. */
  loadJobs: () => Promise<void>
  /** Uploads one image; returns the created job, or null when the upload failed. */
  upload: (file: File) => Promise<Job | null>
}

/** True while the worker still has something to do for one of the jobs. */
export function hasActiveJobs(jobs: Job[]): boolean {
  return jobs.some((job) => job.status === 'pending' || job.status === 'processing')
}

function isAcceptedType(type: string): boolean {
  return (ACCEPTED_IMAGE_TYPES as readonly string[]).includes(type)
}

/** Newest first, as the API sends them; an uploaded job replaces its older copy. */
function withJob(jobs: Job[], job: Job): Job[] {
  return [job, ...jobs.filter((existing) => existing.id !== job.id)]
}

export const useImagesStore = create<ImagesState>()((set) => ({
  jobs: [],
  loading: true,
  loadError: null,
  uploading: false,
  uploadError: null,

  loadJobs: async () => {
    try {
      const jobs = await listJobs()
      set({ jobs, loading: false, loadError: null })
    } catch (error) {
      set({ loading: false, loadError: messageOf(error) })
    }
  },

  upload: async (file) => {
    if (!isAcceptedType(file.type)) {
      const kind = file.type || 'unknown type'
      set({ uploadError: `"${file.name}" is not a JPEG, PNG or WebP image (${kind}).` })
      return null
    }
    set({ uploading: true, uploadError: null })
    try {
      const job = await uploadImage(file)
      set((state) => ({ jobs: withJob(state.jobs, job), uploading: false }))
      return job
    } catch (error) {
      set({ uploading: false, uploadError: messageOf(error) })
      return null
    }
  },
}))

/**
 * Loads the job list now, then reloads it every intervalMs while the worker still has jobs to
 * finish (or the last load failed, to recover once the API is back). Returns the stop function.
 */
export function pollJobs(intervalMs: number): () => void {
  const store = useImagesStore
  void store.getState().loadJobs()
  const timer = setInterval(() => {
    const { jobs, loadError } = store.getState()
    if (hasActiveJobs(jobs) || loadError) void store.getState().loadJobs()
  }, intervalMs)
  return () => clearInterval(timer)
}
