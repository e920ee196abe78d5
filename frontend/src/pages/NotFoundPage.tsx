import { Link } from 'react-router-dom'

export default function NotFoundPage() {
  return (
    <section aria-labelledby="not-found-title" className="space-y-2">
      <h1 id="not-found-title" className="text-2xl font-semibold">
        Page not found
      </h1>
      <p>
        There is no page here. Go to the{' '}
        <Link to="/chat" className="text-indigo-700 underline">
          chat
        </Link>
        .
      </p>
    </section>
  )
}
