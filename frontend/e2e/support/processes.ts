// Child processes for the end-to-end tests: started in their own process group so that
// stopping one also stops what it started (npm -> vite, python -> uvicorn), with output kept
// in a log file that failure messages point to.

import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface RunningProcess {
  name: string
  logFile: string
  /** Last lines of the process output, for failure messages. */
  tail: (lines?: number) => string
  /** Fails at once if the process has already exited. */
  assertRunning: () => void
  stop: () => Promise<void>
}

export interface StartOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  logDir: string
}

/** Process groups still running; killed when the test process exits, however it exits. */
const liveGroups = new Set<number>()
process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
})

export function startProcess(name: string, command: string, args: string[], options: StartOptions): RunningProcess {
  const logFile = join(options.logDir, `${name}.log`)
  const logFd = openSync(logFile, 'w')
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  })
  closeSync(logFd)
  if (child.pid !== undefined) liveGroups.add(child.pid)
  let exit: string | null = null
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exited with code ${code}`
      resolve()
    })
    child.on('error', (error) => {
      exit = `could not start: ${error.message}`
      resolve()
    })
  })

  const tail = (lines = 40) => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n')
    } catch {
      return '(no output)'
    }
  }

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return
    try {
      process.kill(-child.pid, signal)
    } catch {
      // The group is already gone.
    }
  }

  return {
    name,
    logFile,
    tail,
    assertRunning: () => {
      if (exit !== null) throw new Error(`${name} ${exit}; its output (${logFile}):\n${tail()}`)
    },
    stop: async () => {
      if (exit !== null) return
      signalGroup('SIGTERM')
      const forced = setTimeout(() => signalGroup('SIGKILL'), 5000)
      await exited
      clearTimeout(forced)
      // uvicorn's reloader or npm may leave grandchildren behind; make sure the group is gone.
      signalGroup('SIGKILL')
      if (child.pid !== undefined) liveGroups.delete(child.pid)
    },
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Polls url until check accepts the response. Fails early, with the process's output, when
 * the process that should answer has died.
 */
export async function waitForHttp(
  url: string,
  owner: RunningProcess,
  timeoutMs: number,
  check: (response: Response) => boolean = (response) => response.ok,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    owner.assertRunning()
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (check(response)) return
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await sleep(200)
  }
  throw new Error(`${owner.name} did not answer ${url} within ${timeoutMs} ms (${last}); output:\n${owner.tail()}`)
}
