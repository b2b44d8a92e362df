import type { Command } from 'commander';

// Placeholder until the verify work lands.
export function registerVerify(_program: Command): void {}
