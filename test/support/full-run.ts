/**
 * Whether this is `npm run test:full` (`vitest.full.config.ts`): every row of every table. `npm
 * test` leaves out rows that repeat a path another row already takes at a higher cost (each
 * native-provider row but those marked `both`, two of the four tsconfig × TypeScript pairs), so
 * that it fits its time on a 2-core machine; those rows show as skipped there.
 */
export const FULL_RUN = process.env.WHATSAPP_TEST_FULL === "1";
