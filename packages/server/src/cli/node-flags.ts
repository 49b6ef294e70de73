/**
 * The V8 memory settings Forcelink's processes run with (`npm start`, `npm run forcelink`, the
 * benchmarks). Without them V8 sizes its heap from the machine's memory (over 4 GB on a 24 GB
 * machine) and lets a busy sync grow to a gigabyte of garbage before collecting; with them a
 * 1,000,000-row backfill stays near 200 MB. Raise them with your own `node` flags if a process
 * serves very many connections at once.
 */
export const NODE_MEMORY_FLAGS = ["--max-semi-space-size=16", "--max-old-space-size=384"] as const;
