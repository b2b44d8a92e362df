import type { Command } from 'commander';

// Placeholder until the sync work lands.
export function registerSync(_program: Command): void {}
