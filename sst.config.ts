/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Tourniquet on AWS: one stage per account (`npx sst deploy --stage <stage>`). The stage's
 * configuration is `tourniquet.<stage>.json`, which must exist; see docs/deploy.md.
 */
export default $config({
  async app(input) {
    const { hasStageFile, stageSettings } = await import('./infra/settings');
    const stage = input?.stage ?? 'dev';
    // `sst install` evaluates this for any stage; run() refuses a stage without its file.
    const settings = hasStageFile(stage) ? stageSettings(stage) : null;
    return {
      name: 'tourniquet',
      home: 'aws',
      // The tables carry their own retainOnDelete (infra/storage.ts); SST's removal policy
      // follows the same setting, and keeps data when in doubt.
      removal: settings?.retainData === false ? 'remove' : 'retain',
      providers: {
        aws: settings
          ? { region: settings.homeRegion as aws.Region, allowedAccountIds: [settings.account] }
          : {},
      },
    };
  },
  async run() {
    const { stageSettings } = await import('./infra/settings');
    const { tourniquet } = await import('./infra/index');
    return tourniquet(stageSettings($app.stage));
  },
});
