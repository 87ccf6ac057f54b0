// The run store lives in src/runs/runStore.ts; this re-export stays only while the Modal backend
// files (being edited elsewhere) still import it from here.
export { RunStore, writeFileAtomic, runsRootOf, RUN_FILES } from '../runs/runStore';
