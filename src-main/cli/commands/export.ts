import type { Command } from 'commander';

// Placeholder until the export work lands.
export function registerExport(_program: Command): void {}
