// @ts-expect-error a plain ES module script without type declarations
import { copyPluginAssets } from './plugins/nx/scripts/copy-assets.mjs';

export default function setup(): void {
  copyPluginAssets();
}
