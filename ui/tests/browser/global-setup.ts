// Start each run with an empty screenshot folder, so CI artifacts are this run's only.
import { rmSync } from 'node:fs';

export default function globalSetup(): void {
  rmSync('test-results/screenshots', { recursive: true, force: true });
}
