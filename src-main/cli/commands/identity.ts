import type { Command } from 'commander';

// Placeholder until the identity work lands.
export function registerIdentity(_program: Command): void {}
