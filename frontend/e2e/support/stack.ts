// The whole product on loopback: the real API and worker (python -m app) with a fake Groq,
// and the UI served by `vite preview` or `vite` (which proxy /api and /health to the API).

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { FAKE_GROQ_KEY, startFakeGroq, type FakeGroq } from './fakeGroq'
import { FRONTEND_DIR, logDirFor, pythonInterpreter, REPO_ROOT } from './paths'
import { freePort } from './ports'
import { startProcess, waitForHttp, type RunningProcess } from './processes'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const GROQ_MODEL = 'llama-3.3-70b-versatile'

export interface Backend {
  apiUrl: string
  groq: FakeGroq
  logDir: string
  stop: () => Promise<void>
}

/** Only what the processes need, so a developer's own settings cannot leak into the run. */
export function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT']
  return Object.fromEntries(keep.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]]))
}

/** Stops what was started, last first, even when one of them fails to stop. */
async function stopAll(stoppers: (() => Promise<void>)[]): Promise<void> {
  for (const stop of [...stoppers].reverse()) {
    try {
      await stop()
    } catch (error) {
      console.error('e2e teardown:', error)
    }
  }
}

/** The fake Groq, then the API, then the worker once the API is healthy. */
export async function startBackend(logName: string): Promise<Backend> {
  const logDir = logDirFor(logName)
  const dataDir = mkdtempSync(join(tmpdir(), 'mami-ui-e2e-'))
  const stoppers: (() => Promise<void>)[] = [async () => rmSync(dataDir, { recursive: true, force: true })]
  const stop = () => stopAll(stoppers)

  try {
    const groq = await startFakeGroq()
    stoppers.push(groq.close)
    const apiPort = await freePort()
    const apiUrl = `http://127.0.0.1:${apiPort}`
    const token = randomBytes(16).toString('hex')
    const python = pythonInterpreter()
    const backendEnv: NodeJS.ProcessEnv = {
      ...baseEnv(),
      // The backend runs from a scratch directory, so its relative paths and .env lookup stay
      // there; PYTHONPATH finds the app package in the repository.
      PYTHONPATH: REPO_ROOT,
      PYTHONUNBUFFERED: '1',
      DATABASE_URL: `sqlite:///${join(dataDir, 'app.db')}`,
      INTERNAL_UPLOAD_TOKEN: token,
      FALLBACK_CHAINS: JSON.stringify({ default: [`groq:${GROQ_MODEL}`] }),
      GROQ_API_KEY: FAKE_GROQ_KEY,
      GROQ_BASE_URL: groq.baseUrl,
    }

    const api = startProcess('api', python, ['-m', 'app'], {
      cwd: dataDir,
      logDir,
      env: { ...backendEnv, NODE_MODE: 'CORE', HOST: '127.0.0.1', PORT: String(apiPort) },
    })
    stoppers.push(api.stop)
    await waitForHttp(`${apiUrl}/health`, api, 60_000)

    const worker = startProcess('worker', python, ['-m', 'app'], {
      cwd: dataDir,
      logDir,
      env: { ...backendEnv, NODE_MODE: 'WORKER', API_BASE_URL: apiUrl, WORKER_POLL_SECONDS: '0.5' },
    })
    stoppers.push(worker.stop)
    await sleep(300)
    worker.assertRunning()

    return { apiUrl, groq, logDir, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

export interface UiServer {
  url: string
  process: RunningProcess
  stop: () => Promise<void>
}

/**
 * The built UI (`npm run preview`, run `npm run build` first) or the dev server (`npm run
 * dev`, as compose runs it: VITE_API_URL set, polling on). Either way the browser talks to the
 * UI's origin and the server proxies /api and /health to the backend.
 */
export async function startUi(
  kind: 'preview' | 'dev',
  backend: Pick<Backend, 'apiUrl' | 'logDir'>,
  options: { apiIsUp: boolean } = { apiIsUp: true },
): Promise<UiServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv =
    kind === 'preview'
      ? { ...baseEnv(), VITE_PROXY_TARGET: backend.apiUrl }
      : { ...baseEnv(), VITE_API_URL: backend.apiUrl, CHOKIDAR_USEPOLLING: 'true', VITE_HMR_CLIENT_PORT: String(port) }
  const server = startProcess(kind, 'npm', ['run', kind, '--', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: FRONTEND_DIR,
    logDir: backend.logDir,
    env,
  })
  try {
    await waitForHttp(`${url}/`, server, 60_000)
    // The proxy is part of what is tested: /health must arrive through the UI's origin.
    if (options.apiIsUp) await waitForHttp(`${url}/health`, server, 10_000)
  } catch (error) {
    await server.stop()
    throw error
  }
  return { url, process: server, stop: server.stop }
}
