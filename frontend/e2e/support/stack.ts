// The whole product on loopback: the real API and worker (python -m app), the built UI served
// by `vite preview` (which proxies /api and /health to the API), and a fake Groq.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { FAKE_GROQ_KEY, startFakeGroq, type FakeGroq } from './fakeGroq'
import { FRONTEND_DIR, logDirFor, pythonInterpreter, REPO_ROOT } from './paths'
import { freePort } from './ports'
import { startProcess, waitForHttp, type RunningProcess } from './processes'

export const GROQ_MODEL = 'llama-3.3-70b-versatile'

export interface Stack {
  uiUrl: string
  apiUrl: string
  groq: FakeGroq
  processes: RunningProcess[]
  stop: () => Promise<void>
}

/** Only what the processes need, so a developer's own settings cannot leak into the run. */
function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT']
  return Object.fromEntries(keep.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]]))
}

export async function startStack(logName: string): Promise<Stack> {
  const logDir = logDirFor(logName)
  const dataDir = mkdtempSync(join(tmpdir(), 'mami-ui-e2e-'))
  const processes: RunningProcess[] = []
  const groq = await startFakeGroq()

  const stop = async () => {
    for (const running of [...processes].reverse()) await running.stop()
    await groq.close()
    rmSync(dataDir, { recursive: true, force: true })
  }

  try {
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
    processes.push(api)
    await waitForHttp(`${apiUrl}/health`, api, 60_000)

    const worker = startProcess('worker', python, ['-m', 'app'], {
      cwd: dataDir,
      logDir,
      env: { ...backendEnv, NODE_MODE: 'WORKER', API_BASE_URL: apiUrl, WORKER_POLL_SECONDS: '0.5' },
    })
    processes.push(worker)

    const uiPort = await freePort()
    const uiUrl = `http://127.0.0.1:${uiPort}`
    const preview = startProcess(
      'preview',
      'npm',
      ['run', 'preview', '--', '--host', '127.0.0.1', '--port', String(uiPort), '--strictPort'],
      { cwd: FRONTEND_DIR, logDir, env: { ...baseEnv(), VITE_PROXY_TARGET: apiUrl } },
    )
    processes.push(preview)
    await waitForHttp(`${uiUrl}/`, preview, 30_000)
    // The proxy is part of what is tested: /health must arrive through the UI's origin.
    await waitForHttp(`${uiUrl}/health`, preview, 10_000)
    worker.assertRunning()

    return { uiUrl, apiUrl, groq, processes, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
