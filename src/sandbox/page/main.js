// @ts-check
// The page's entry point (index.html loads it): app.js defines the page, start() runs it. A file rather
// than an inline script, so the Content-Security-Policy (sandbox.ts) can refuse every inline script.
import { start } from './app.js';

void start();
