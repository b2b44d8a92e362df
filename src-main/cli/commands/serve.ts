import type { Command } from 'commander';

// Placeholder until the serve work lands.
export function registerServe(_program: Command): void {}
