import { emulatorQueryBench } from "./emulator-query.bench.ts";
console.log(JSON.stringify(await emulatorQueryBench(Number(process.argv[2] ?? 300000)), null, 1));
