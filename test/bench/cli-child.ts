// Runs the `auditdesk` CLI in this process with the arguments after `--`, then prints
// the process's peak RSS and CPU time as one JSON line on stderr: a bench measures
// the command a user runs, with everything it loads, not a stripped-down driver.
const cli = new URL('../../src-main/cli/main.js', import.meta.url);
const args = process.argv.slice(process.argv.indexOf('--') + 1);
process.argv = [process.argv[0]!, cli.pathname, ...args];
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`\n${JSON.stringify({ maxRssMb: u.maxRSS / 1024, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 })}\n`);
});
await import(cli.href);
