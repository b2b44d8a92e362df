import type { Command } from 'commander';

// Placeholder until the demo work lands.
export function registerDemo(_program: Command): void {}
