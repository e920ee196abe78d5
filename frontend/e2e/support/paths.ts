import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FRONTEND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const REPO_ROOT = resolve(FRONTEND_DIR, '..')

/** The backend's interpreter: MAMI_PYTHON, else the repository's .venv, else python3. */
export function pythonInterpreter(): string {
  if (process.env.MAMI_PYTHON) return process.env.MAMI_PYTHON
  const venvPython = join(REPO_ROOT, '.venv', 'bin', 'python')
  return existsSync(venvPython) ? venvPython : 'python3'
}

/** Where the processes' output goes (ignored by git), one folder per test file. */
export function logDirFor(name: string): string {
  const dir = join(FRONTEND_DIR, 'test-results', name)
  mkdirSync(dir, { recursive: true })
  return dir
}
