import { spawnSync } from 'node:child_process';

/**
 * Reads CSV with Python's csv module, a parser that shares nothing with the code under test
 * (newline='' as its documentation requires, so quoted line breaks stay in their field).
 */
export function readCsv(text: string): string[][] {
  const python = process.env.MOTO_PYTHON?.trim() || 'python3';
  const result = spawnSync(
    python,
    [
      '-c',
      "import csv,io,json,sys; print(json.dumps(list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8', newline='')))))",
    ],
    { input: text, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`python csv: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
