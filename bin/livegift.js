#!/usr/bin/env node
// Entry point of the `livegift` command. TypeScript sources run through tsx's loader, so a fresh
// clone needs no build step for the server.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exit(code);
