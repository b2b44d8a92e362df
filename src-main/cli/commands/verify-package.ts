import type { Command } from 'commander';

// Placeholder until the verify-package work lands.
export function registerVerifyPackage(_program: Command): void {}
