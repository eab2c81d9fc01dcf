/** Entry point of the `chronosync` command. Returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  process.stderr.write(`chronosync: unknown command ${JSON.stringify(argv[0] ?? "")}\n`);
  return 2;
}
