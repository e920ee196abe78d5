import { useEffect, useRef, useState, type FormEvent } from 'react'

import { apiUrl } from '../api/client'
import { ACCEPTED_IMAGE_TYPES, type Job, type JobResult, type JobStatus } from '../api/types'
import { Badge, ErrorNotice, Spinner } from '../components/feedback'
import { pollJobs, useImagesStore } from '../stores/imagesStore'

const JOB_POLL_INTERVAL_MS = 1500

const statusLabels: Record<JobStatus, { text: string; tone: 'good' | 'busy' | 'bad' | 'idle' }> = {
  pending: { text: 'Waiting for the worker', tone: 'idle' },
  processing: { text: 'Processing', tone: 'busy' },
  done: { text: 'Done', tone: 'good' },
  failed: { text: 'Failed', tone: 'bad' },
}

function formatTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString()
}

function ResultImage({ job, result }: { job: Job; result: JobResult }) {
  const [broken, setBroken] = useState(false)
  const description = `${result.name}, ${result.width}×${result.height}`
  return (
    <figure className="space-y-1">
      {broken ? (
        <ErrorNotice message={`Could not load the processed image ${result.name}.`} />
      ) : (
        <img
          src={apiUrl(result.url)}
          alt={`Processed ${job.filename} (${description})`}
          width={result.width}
          height={result.height}
          onError={() => setBroken(true)}
          className="h-auto max-h-64 w-auto max-w-full rounded border border-slate-200"
        />
      )}
      <figcaption className="text-xs text-slate-600">{description}</figcaption>
    </figure>
  )
}

function JobView({ job }: { job: Job }) {
  const status = statusLabels[job.status]
  return (
    <li className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-label={`Job ${job.filename}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-medium">{job.filename}</span>
        <Badge tone={status.tone}>{status.text}</Badge>
      </div>
      <p className="text-xs text-slate-600">
        Uploaded {formatTime(job.created_at)} · updated {formatTime(job.updated_at)}
      </p>
      {job.status === 'failed' && <ErrorNotice message={job.error ?? 'The worker could not process this image.'} />}
      {job.results.length > 0 && (
        <div className="flex flex-wrap gap-4">
          {job.results.map((result) => (
            <ResultImage key={result.name} job={job} result={result} />
          ))}
        </div>
      )}
    </li>
  )
}

function UploadForm() {
  const uploading = useImagesStore((state) => state.uploading)
  const uploadError = useImagesStore((state) => state.uploadError)
  const upload = useImagesStore((state) => state.upload)
  const [file, setFile] = useState<File | null>(null)
  const input = useRef<HTMLInputElement>(null)

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    if (!file) return
    const job = await upload(file)
    if (job && input.current) {
      input.current.value = ''
      setFile(null)
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
      <label htmlFor="image-file" className="block text-sm font-medium">
        Image to process (JPEG, PNG or WebP)
      </label>
      <input
        id="image-file"
        ref={input}
        type="file"
        accept={ACCEPTED_IMAGE_TYPES.join(',')}
        onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        className="block text-sm"
      />
      <div className="flex items-center gap-3">
        <button
          type="submit"
          disabled={!file || uploading}
          className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
        >
          Upload
        </button>
        {uploading && <Spinner label="Uploading…" />}
      </div>
      {uploadError && <ErrorNotice title="Upload failed" message={uploadError} />}
    </form>
  )
}

export default function ImagesPage() {
  const jobs = useImagesStore((state) => state.jobs)
  const loading = useImagesStore((state) => state.loading)
  const loadError = useImagesStore((state) => state.loadError)

  useEffect(() => pollJobs(JOB_POLL_INTERVAL_MS), [])

  return (
    <section aria-labelledby="images-title" className="space-y-4">
      <h1 id="images-title" className="text-2xl font-semibold">
        Images
      </h1>
      <UploadForm />
      <h2 className="text-lg font-semibold">Jobs</h2>
      {loadError && <ErrorNotice title="Could not load the jobs" message={loadError} />}
      {loading ? (
        <Spinner label="Loading jobs…" />
      ) : jobs.length === 0 ? (
        !loadError && <p className="text-slate-600">No images yet. Upload one above.</p>
      ) : (
        <ul aria-label="Image jobs" aria-live="polite" className="space-y-3">
          {jobs.map((job) => (
            <JobView key={job.id} job={job} />
          ))}
        </ul>
      )}
    </section>
  )
}
