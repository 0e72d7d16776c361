/**
 * One AWS provider per region other than the home region, shared by everything regional the
 * stage creates there (forwarding rules, untrack groups): Pulumi allows one resource per name.
 * The home region uses the default provider (undefined).
 */
export type ProviderFor = (region: string) => aws.Provider | undefined;

export function regionProviders(homeRegion: string): ProviderFor {
  const providers = new Map<string, aws.Provider>();
  return (region) => {
    if (region === homeRegion) return undefined;
    let provider = providers.get(region);
    if (!provider) {
      provider = new aws.Provider(`Region-${region}`, { region: region as aws.Region });
      providers.set(region, provider);
    }
    return provider;
  };
}
