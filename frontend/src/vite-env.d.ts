/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** API base baked into a production build; empty (same origin, proxied) under the dev server. */
  readonly VITE_API_URL?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
