// The web app's entry: one React root, the session, and the page the address names.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app.js';
import './styles.css';

// The page's Content-Security-Policy forbids eval: zod is told not to probe for it.
z.config({ jitless: true });

const root = document.getElementById('root');
if (!root) throw new Error('the page has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
