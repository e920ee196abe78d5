/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the Mami API, e.g. http://mami-ai:8000; unset means "same origin, proxied". */
  readonly VITE_API_URL?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
