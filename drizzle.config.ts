import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` diffs src/store/schema.ts against migrations/ and writes the next SQL file.
// Hand-written SQL (functions, triggers) lives in custom migrations: `npx drizzle-kit generate --custom`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './migrations',
});
