import { Navigate, Route, Routes } from 'react-router-dom'

import Layout from './components/Layout'
import ChatPage from './pages/ChatPage'
import ImagesPage from './pages/ImagesPage'
import NotFoundPage from './pages/NotFoundPage'
import SystemPage from './pages/SystemPage'

export default function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/chat" replace />} />
        <Route path="chat" element={<ChatPage />} />
        <Route path="images" element={<ImagesPage />} />
        <Route path="system" element={<SystemPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  )
}
