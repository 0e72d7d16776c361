/** Where the CLI's entry, repository and bundle cache are (see launcher.mjs). */
export interface CliLocations {
  source: string;
  root: string;
  cache: string;
}

export function cliLocations(): CliLocations;

export function bundledModule(
  options: CliLocations & { onBuild?: () => void },
): Promise<Record<string, unknown> | null>;
